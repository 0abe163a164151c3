export * from "./OutboxRows.js"
export * from "./Receiver.js"
