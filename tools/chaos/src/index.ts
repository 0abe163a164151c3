export * from "./Clients.js"
export * from "./CrashRun.js"
export * from "./LeadqProcess.js"
export * from "./NothingLost.js"
