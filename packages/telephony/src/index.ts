export * from "./CallEndedWebhook.js"
