{
  "name": "connector-__name__",
  "$schema": "__root__/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "apps/connector-__name__/src",
  "projectType": "application",
  "tags": ["type:app", "scope:connector"],
  "targets": {
    "typecheck": {},
    "serve": {
      "executor": "nx:run-commands",
      "options": { "command": "node tools/run-ts.cjs apps/connector-__name__/src/main.ts" }
    }
  }
}
