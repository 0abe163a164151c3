export * from "./FakeVoicePlatform.js"
