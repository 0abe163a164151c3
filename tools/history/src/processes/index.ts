export * from "./ChildProcesses.js"
