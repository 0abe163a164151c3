import nx from "@nx/eslint-plugin"
import tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: ["**/vitest.config.ts", "vitest.shared.ts", "**/dist/**", "**/out-tsc/**", "**/node_modules/**", "**/.nx/**", "data/**", ".scratch/**", "**/*.js", "**/*.mjs", "**/*.cjs"]
  },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "@nx": nx },
    rules: {
      // The dependency picture of docs/design.md §1, enforced: domain at the bottom, apps at the top.
      "@nx/enforce-module-boundaries": [
        "error",
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: "type:domain", onlyDependOnLibsWithTags: ["type:domain"] },
            { sourceTag: "type:store", onlyDependOnLibsWithTags: ["type:domain"] },
            { sourceTag: "type:api", onlyDependOnLibsWithTags: ["type:domain"] },
            { sourceTag: "type:telephony", onlyDependOnLibsWithTags: ["type:domain"] },
            { sourceTag: "type:transport", onlyDependOnLibsWithTags: ["type:api", "type:domain"] },
            // The processes' shared edge (logging, settings, start-up): below every app, above nothing of ours.
            { sourceTag: "type:runtime", onlyDependOnLibsWithTags: [] },
            // Outgoing webhooks' dispatcher: on the store's delivery repository, below the apps that run it.
            { sourceTag: "type:webhooks", onlyDependOnLibsWithTags: ["type:domain", "type:runtime", "type:store"] },
            { sourceTag: "app:gateway", onlyDependOnLibsWithTags: ["type:domain", "type:api", "type:store", "type:telephony", "type:runtime", "type:webhooks"] },
            { sourceTag: "app:worker", onlyDependOnLibsWithTags: ["type:domain", "type:store", "type:telephony", "type:runtime", "type:webhooks"] },
            { sourceTag: "app:cli", onlyDependOnLibsWithTags: ["type:domain", "type:transport", "type:store"] },
            { sourceTag: "type:server", onlyDependOnLibsWithTags: ["type:domain", "type:store", "type:app", "type:runtime", "type:webhooks"] },
            { sourceTag: "type:tool", onlyDependOnLibsWithTags: ["*"] }
          ]
        }
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "no-console": "error"
    }
  },
  {
    // The CLI prints to the terminal and the tools print figures: that is their job.
    files: ["apps/cli/**/*.ts", "tools/**/*.ts", "**/test/**/*.ts"],
    rules: { "no-console": "off" }
  }
)
