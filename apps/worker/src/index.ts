export * from "./CarrierFromConfig.js"
export * from "./Supervisor.js"
export * from "./Worker.js"
export * from "./WorkerConfig.js"
