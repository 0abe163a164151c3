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
    // Each of these packages' index re-exports every module of the package, so importing a name from
    // it loads them all at start-up (HTTP clients, event logs, MsgPack, both SQL engines...), tens of
    // MiB of resident memory per process for modules we never use. Import the module itself instead:
    // `import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"`. Tests may keep the barrels.
    files: ["apps/*/src/**/*.ts", "packages/*/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["@effect/platform", "@effect/platform-node", "@effect/sql", "@effect/sql-pg", "@effect/sql-sqlite-node", "@effect/experimental", "@effect/cli"].map((name) => ({
            name,
            message: `The "${name}" index loads every module of the package at start-up; import the module's own path, e.g. \`import * as X from "${name}/X"\`.`
          }))
        }
      ]
    }
  },
  {
    // The CLI prints to the terminal and the tools print figures: that is their job.
    files: ["apps/cli/**/*.ts", "tools/**/*.ts", "**/test/**/*.ts"],
    rules: { "no-console": "off" }
  }
)
