export * from "./CrashRun.js"
export * from "./LeadqProcess.js"
export * from "./NothingLost.js"
export * from "./fuzz/index.js"
