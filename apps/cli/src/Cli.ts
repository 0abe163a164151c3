// The command tree only: flags, arguments and help. Each handler is a module loaded when its
// command runs, so `leadq --help`, completions and usage errors never load the client, the API
// contract or a database driver. Deep imports (`effect/Effect`) for the same reason.
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import { ApiKey, ApiKeyConfig, DEFAULT_BASE_URL, environmentSetting, GatewayUrl, GatewayUrlConfig } from "@leadq/transport/settings"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, FOLLOW_WINDOW, MAX_CONCURRENCY } from "./Limits.js"
import { UsageError } from "./UsageError.js"

export const VERSION = "0.1.0"

const help = (summary: string, examples: ReadonlyArray<string> = [], notes: ReadonlyArray<string> = []) =>
  HelpDoc.blocks([
    HelpDoc.p(summary),
    ...notes.map((n) => HelpDoc.p(n)),
    ...(examples.length > 0
      ? [HelpDoc.p(Span.strong("Examples")), ...examples.map((e) => HelpDoc.p(Span.code(`  $ ${e}`)))]
      : [])
  ])

/** Loads a handler module when its command runs. */
const lazy = <M, A, E, R>(load: () => Promise<M>, run: (module: M, args: A) => Effect.Effect<void, E, R>) => (args: A) =>
  Effect.flatMap(Effect.promise(load), (module) => run(module, args))

const campaignsModule = () => import("./commands/Campaigns.js")
const leadsModule = () => import("./commands/Leads.js")
const removeManyModule = () => import("./commands/RemoveMany.js")
const callLogsModule = () => import("./commands/CallLogs.js")
const keysModule = () => import("./commands/Keys.js")
const removalsModule = () => import("./commands/Removals.js")
const suppressionsModule = () => import("./commands/Suppressions.js")
const webhooksModule = () => import("./commands/Webhooks.js")
const webhookDeliveriesModule = () => import("./commands/WebhookDeliveries.js")

/** A group without a subcommand is bad usage: say which ones there are. */
const chooseOne = (group: string, choices: string) => () => {
  const prefix = group === "" ? "leadq" : `leadq ${group}`
  return Effect.fail(new UsageError({ message: `Missing command: ${prefix} ${choices}.`, hint: `See: ${prefix} --help` }))
}

// ---------------------------------------------------------------------------------------------
// Flag values: checked while the command line is parsed, so a bad one is bad usage (exit 2)
// before anything runs. Rules of the contract (a campaign's fields) are checked by the command
// modules, which load it.

/** A number flag within its bounds, refused with its name and the value given. */
const bounded = (flag: string, rule: string, holds: (n: number) => boolean) =>
  Schema.Number.pipe(Schema.filter(holds, { message: (issue) => `${flag} must be ${rule}, got ${String(issue.actual)}.` }))

/** An ISO 8601 date or date-time flag, as a `Date`. */
const dateFlag = (flag: string) =>
  Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
    strict: true,
    decode: (text, _, ast) => {
      const date = new Date(text.trim())
      return Number.isNaN(date.getTime()) ? ParseResult.fail(new ParseResult.Type(ast, text)) : ParseResult.succeed(date)
    },
    encode: (date) => ParseResult.succeed(date.toISOString())
  }).annotations({
    message: (issue) => ({
      message: `${flag} must be an ISO 8601 date or date-time such as 2026-06-01T09:00:00Z, got "${String(issue.actual).trim()}".`,
      override: true
    })
  })

/** An optional ISO 8601 date flag (`--since`, `--from`, …), as a `Date`. */
const dateOption = (flag: string, description: string) =>
  Options.text(flag).pipe(Options.withDescription(description), Options.withSchema(dateFlag(`--${flag}`)), Options.optional)

/** `Options.withDefault`, with the default said in the help (@effect/cli says only an `Option`'s). */
const defaultTo = <const B extends string | number>(value: B) => <A>(self: Options.Options<A>): Options.Options<A | B> =>
  Options.withDefault(Options.withDescription(self, `Default: ${value}.`), value)

const noApiKey = ValidationError.missingValue(HelpDoc.blocks([
  HelpDoc.p("No API key."),
  HelpDoc.p("Set LEADQ_API_KEY or pass --api-key. Create one with: leadq keys create --org NAME")
]))

// ---------------------------------------------------------------------------------------------
// Shared flags

/**
 * The gateway and the key: the flag, else the environment, read and validated as
 * `@leadq/transport` defines `LEADQ_URL` / `LEADQ_API_KEY` (a blank variable counts as unset).
 */
const connection = {
  url: Options.text("url").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription(`The gateway; else $LEADQ_URL, else ${DEFAULT_BASE_URL}.`),
    Options.withSchema(GatewayUrl),
    Options.withFallbackConfig(GatewayUrlConfig),
    Options.withDefault(DEFAULT_BASE_URL)
  ),
  apiKey: Options.text("api-key").pipe(
    Options.withPseudoName("KEY"),
    Options.withDescription("The API key; else $LEADQ_API_KEY (one or the other is required)."),
    Options.withSchema(ApiKey),
    Options.withFallbackConfig(ApiKeyConfig),
    // Optional, then required by hand: @effect/cli's own "missing --api-key" would not say where
    // else a key can come from, nor how to get one.
    Options.optional,
    Options.mapEffect(Option.match({ onNone: () => Effect.fail(noApiKey), onSome: Effect.succeed }))
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Output for scripts: one JSON value per line, on stdout."))
}

// Optional rather than defaulted: `--all` refuses them when they were given.
const paging = {
  page: Options.integer("page").pipe(
    Options.withDescription("Page number, from 1 (default 1)."),
    Options.withSchema(bounded("--page", "1 or more", (n) => n >= 1)),
    Options.optional
  ),
  limit: Options.integer("limit").pipe(
    Options.withDescription("Items per page, 1 to 100 (default 20)."),
    Options.withSchema(bounded("--limit", "from 1 to 100", (n) => n >= 1 && n <= 100)),
    Options.optional
  ),
  all: Options.boolean("all").pipe(Options.withDescription("Every page, one after the other."))
}

const id = (what: string) => Args.text({ name: "id" }).pipe(Args.withDescription(`The ${what} id.`))

// ---------------------------------------------------------------------------------------------
// campaigns

const campaignsCreate = Command.make("create", {
  ...connection,
  name: Options.text("name").pipe(Options.withDescription("The campaign's name.")),
  agentId: Options.text("agent-id").pipe(Options.withDescription("The voice agent that makes the calls.")),
  from: Options.text("from").pipe(Options.withDescription("The number calls come from, E.164 (+14155550100).")),
  maxConcurrentCalls: Options.integer("max-concurrent-calls").pipe(
    Options.withDescription("Calls at once, 1 to 100."),
    defaultTo(1)
  ),
  maxRetries: Options.integer("max-retries").pipe(
    Options.withDescription("Retries of a no-answer or busy call, 0 to 4."),
    defaultTo(0)
  ),
  retryInterval: Options.integer("retry-interval").pipe(
    Options.withDescription("Minutes before a retry."),
    defaultTo(60)
  ),
  scheduledAt: Options.text("scheduled-at").pipe(
    Options.withDescription("When to start, ISO 8601 (default now)."),
    Options.optional
  ),
  windowStart: Options.text("window-start").pipe(Options.withDescription("Calling window opens, local HH:MM."), Options.optional),
  windowEnd: Options.text("window-end").pipe(Options.withDescription("Calling window closes, local HH:MM."), Options.optional),
  timezone: Options.text("timezone").pipe(Options.withDescription("IANA time zone of the window (Europe/Paris)."), Options.optional),
  days: Options.text("days").pipe(Options.withDescription("Weekdays of the window: mon,tue,wed,thu,fri,sat,sun."), Options.optional)
}, lazy(campaignsModule, (m, a) => m.create(a))).pipe(
  Command.withDescription(help(
    "Create a campaign. It starts running at --scheduled-at (now by default).",
    [
      "leadq campaigns create --name Renewals --agent-id agent_1 --from +14155550100",
      "leadq campaigns create --name EU --agent-id a1 --from +442071838750 --max-concurrent-calls 5 --max-retries 2 --retry-interval 30 --window-start 09:00 --window-end 18:00 --timezone Europe/London --days mon,tue,wed,thu,fri"
    ]
  ))
)

const campaignsList = Command.make("list", {
  ...connection,
  ...paging,
  status: Options.choice("status", ["running", "paused", "completed", "cancelled"]).pipe(
    Options.withDescription("Only campaigns in this status."),
    Options.optional
  )
}, lazy(campaignsModule, (m, a) => m.list(a))).pipe(
  Command.withDescription(help("List campaigns with their live lead counters.", [
    "leadq campaigns list",
    "leadq campaigns list --status running --all --json"
  ]))
)

const campaignsGet = Command.make("get", { ...connection, id: id("campaign") }, lazy(campaignsModule, (m, a) => m.get(a))).pipe(
  Command.withDescription(help("Show a campaign with its live lead counters.", ["leadq campaigns get cmp_…"]))
)

const campaignsPause = Command.make("pause", { ...connection, id: id("campaign") }, lazy(campaignsModule, (m, a) => m.pause(a))).pipe(
  Command.withDescription(help("Pause a running campaign: no new call starts; calls in progress finish.", ["leadq campaigns pause cmp_…"]))
)

const campaignsResume = Command.make("resume", { ...connection, id: id("campaign") }, lazy(campaignsModule, (m, a) => m.resume(a))).pipe(
  Command.withDescription(help("Resume a paused campaign.", ["leadq campaigns resume cmp_…"]))
)

const campaignsCancel = Command.make("cancel", { ...connection, id: id("campaign") }, lazy(campaignsModule, (m, a) => m.cancel(a))).pipe(
  Command.withDescription(help(
    "Cancel a campaign, for good: its pending leads are never dialled; calls in progress finish.",
    ["leadq campaigns cancel cmp_…"]
  ))
)

const campaigns = Command.make("campaigns", {}, chooseOne("campaigns", "create|list|get|pause|resume|cancel")).pipe(
  Command.withDescription(help("Create, list, show, pause, resume and cancel campaigns.")),
  Command.withSubcommands([campaignsCreate, campaignsList, campaignsGet, campaignsPause, campaignsResume, campaignsCancel])
)

// ---------------------------------------------------------------------------------------------
// leads

const leadsAdd = Command.make("add", {
  ...connection,
  campaign: Options.text("campaign").pipe(Options.withDescription("The campaign id.")),
  phone: Options.text("phone").pipe(Options.withDescription("The number, E.164 (+14155550123), or national with --country-code.")),
  countryCode: Options.text("country-code").pipe(Options.withDescription("Dialling code for a national number (1, 44, +33)."), Options.optional),
  name: Options.text("name").pipe(Options.withDescription("The person's name."), Options.optional),
  note: Options.keyValueMap("note").pipe(
    Options.withDescription("A note (dynamic variable) key=value; repeat for more (at most 15)."),
    Options.optional
  )
}, lazy(leadsModule, (m, a) => m.add(a))).pipe(
  Command.withDescription(help("Add one lead to a campaign's queue.", [
    "leadq leads add --campaign cmp_… --phone +14155550123 --name 'Ada Lovelace' --note plan=gold --note city=London"
  ]))
)

const leadsGet = Command.make("get", { ...connection, id: id("lead") }, lazy(leadsModule, (m, a) => m.get(a))).pipe(
  Command.withDescription(help("Show a lead. A removed lead is not found (exit 1).", ["leadq leads get lead_…"]))
)

const leadsList = Command.make("list", {
  ...connection,
  ...paging,
  campaign: Options.text("campaign").pipe(Options.withDescription("Only this campaign's leads."), Options.optional),
  status: Options.choice("status", ["pending", "in_progress", "completed", "failed", "removed"]).pipe(
    Options.withDescription("Only leads in this status (removed leads are listed only when asked for)."),
    Options.optional
  ),
  phone: Options.text("phone").pipe(Options.withDescription("Only leads with this number (E.164)."), Options.optional)
}, lazy(leadsModule, (m, a) => m.list(a))).pipe(
  Command.withDescription(help("List leads.", [
    "leadq leads list --campaign cmp_…",
    "leadq leads list --campaign cmp_… --status pending --all --json",
    "leadq leads list --phone +14155550123"
  ]))
)

const leadsRemove = Command.make("remove", {
  ...connection,
  id: id("lead"),
  reason: Options.text("reason").pipe(Options.withDescription("Why (kept in the removal's audit record)."), Options.optional),
  suppress: Options.boolean("suppress").pipe(
    Options.withDescription("Also suppress the lead's number in every campaign of the organization (in the same transaction).")
  )
}, lazy(leadsModule, (m, a) => m.remove(a))).pipe(
  Command.withDescription(help(
    "Remove a lead from its campaign's queue, whatever it is doing.",
    ["leadq leads remove lead_… --reason opt-out", "leadq leads remove lead_… --reason \"asked not to be called\" --suppress"],
    [
      "Pending or claimed: it is never dialled. In a call: the call is not cut, its log is written when it ends, and no retry follows. " +
      "Called: it leaves the queue; its call logs stay. A lead already removed, or unknown, is not found (exit 1); one in a completed or " +
      "cancelled campaign is refused (exit 1)."
    ]
  ))
)

const leadsUpload = Command.make("upload", {
  ...connection,
  campaign: Options.text("campaign").pipe(Options.withDescription("The campaign id.")),
  file: Options.file("file", { exists: "yes" }).pipe(Options.withDescription("A CSV file with a phone_number column (at most 10 MB)."))
}, lazy(leadsModule, (m, a) => m.upload(a))).pipe(
  Command.withDescription(help(
    "Add the leads of a CSV file to a campaign, all or nothing.",
    ["leadq leads upload --campaign cmp_… --file leads.csv"],
    [
      "A phone_number column is required; country_code and name columns map to the lead; up to 15 other columns become notes. " +
      "Rows without a number are skipped and counted; any invalid number rejects the whole file, with its row numbers."
    ]
  ))
)

const leadsRemoveMany = Command.make("remove-many", {
  ...connection,
  file: Options.file("file", { exists: "yes" }).pipe(
    Options.withDescription("One lead id or phone number per line (# comments and a CSV header are fine).")
  ),
  campaign: Options.text("campaign").pipe(
    Options.withDescription("The campaign whose leads the phone numbers are matched against (required for numbers)."),
    Options.optional
  ),
  countryCode: Options.text("country-code").pipe(Options.withDescription("Dialling code for national numbers in the file."), Options.optional),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDescription(`Requests in flight at once, each a batch of removals, 1 to ${MAX_CONCURRENCY}.`),
    Options.withSchema(bounded("--concurrency", `from 1 to ${MAX_CONCURRENCY}`, (n) => n >= 1 && n <= MAX_CONCURRENCY)),
    defaultTo(DEFAULT_CONCURRENCY)
  ),
  batchSize: Options.integer("batch-size").pipe(
    // Its upper bound is the contract's: checked by the command against it.
    Options.withDescription("Entries per request, 1 to 1000."),
    defaultTo(DEFAULT_BATCH_SIZE)
  ),
  failures: Options.text("failures").pipe(
    Options.withDescription("Where to write what was not removed (default: the input file's name + .failures)."),
    Options.optional
  ),
  reason: Options.text("reason").pipe(
    Options.withDescription("Why (kept in each removal's audit record; default: leadq remove-many FILE)."),
    Options.optional
  )
}, lazy(removeManyModule, (m, a) => m.removeManyCommand(a))).pipe(
  Command.withDescription(help(
    "Remove every lead an opt-out list names, and account for each entry.",
    [
      "leadq leads remove-many --file optout.txt",
      "leadq leads remove-many --file numbers.csv --campaign cmp_… --reason opt-out",
      "leadq leads remove-many --file optout.txt.failures"
    ],
    [
      "Sent in batches (--batch-size entries per request, --concurrency requests in flight) to POST /v1/campaigns-leads/bulk-remove; " +
      "each lead is removed exactly as `leadq leads remove` would remove it, with the same audit record. A batch whose answer was lost " +
      "is sent again (a repeat changes nothing). Safe to run again: a lead already removed is counted as such, not as a failure. It keeps " +
      "going past a failed batch, and ends with a summary: removed (by the state they were in), already removed, not found, refused " +
      "(campaign completed or cancelled), errors. What was not removed goes to a failures file that can be fed back as it is. Exit 1 when " +
      "some entries failed with errors."
    ]
  ))
)

const leads = Command.make("leads", {}, chooseOne("leads", "add|get|list|remove|upload|remove-many")).pipe(
  Command.withDescription(help("Add, upload, list, show and remove leads.")),
  Command.withSubcommands([leadsAdd, leadsGet, leadsList, leadsRemove, leadsUpload, leadsRemoveMany])
)

// ---------------------------------------------------------------------------------------------
// call-logs

const callLogsList = Command.make("list", {
  ...connection,
  ...paging,
  campaign: Options.text("campaign").pipe(Options.withDescription("Only this campaign's calls."), Options.optional),
  lead: Options.text("lead").pipe(Options.withDescription("Only this lead's calls."), Options.optional),
  status: Options.choice("status", ["initiated", "in_progress", "completed", "no_answer", "busy", "failed", "cancelled"]).pipe(
    Options.withDescription("Only calls in this status."),
    Options.optional
  ),
  since: dateOption("since", "Created at or after (ISO 8601)."),
  until: dateOption("until", "Created at or before (ISO 8601)."),
  minDuration: Options.float("min-duration").pipe(Options.withDescription("At least this many seconds long."), Options.optional),
  maxDuration: Options.float("max-duration").pipe(Options.withDescription("At most this many seconds long."), Options.optional),
  order: Options.choice("order", ["asc", "desc"]).pipe(Options.withDescription("By creation time (default desc)."), Options.optional)
}, lazy(callLogsModule, (m, a) => m.list(a))).pipe(
  Command.withDescription(help("List call logs, newest first.", [
    "leadq call-logs list --campaign cmp_…",
    "leadq call-logs list --status no_answer --since 2026-06-01 --all --json"
  ]))
)

const callLogsGet = Command.make("get", { ...connection, id: id("call log") }, lazy(callLogsModule, (m, a) => m.get(a))).pipe(
  Command.withDescription(help("Show a call log.", ["leadq call-logs get log_…"]))
)

const callLogsFollow = Command.make("follow", {
  ...connection,
  campaign: Options.text("campaign").pipe(Options.withDescription("Only this campaign's calls."), Options.optional),
  interval: Options.float("interval").pipe(
    Options.withDescription("Seconds between two polls."),
    Options.withSchema(bounded("--interval", "from 0 to 3600 seconds", (n) => n > 0 && n <= 3600)),
    defaultTo(2)
  ),
  tail: Options.integer("tail").pipe(
    Options.withDescription("How many recent logs to show first."),
    Options.withSchema(bounded("--tail", `from 0 to ${FOLLOW_WINDOW}`, (n) => n >= 0 && n <= FOLLOW_WINDOW)),
    defaultTo(10)
  )
}, lazy(callLogsModule, (m, a) => m.follow(a))).pipe(
  Command.withDescription(help(
    "Print call logs as they come and as their status changes, until Ctrl-C.",
    ["leadq call-logs follow --campaign cmp_…", "leadq call-logs follow --json | jq -c 'select(.status == \"failed\")'"],
    ["Polls with If-None-Match: while nothing changes, the gateway answers 304 and sends no body."]
  ))
)

const callLogs = Command.make("call-logs", {}, chooseOne("call-logs", "list|get|follow")).pipe(
  Command.withDescription(help("List, show and follow call logs.")),
  Command.withSubcommands([callLogsList, callLogsGet, callLogsFollow])
)

// ---------------------------------------------------------------------------------------------
// removals

const removalsList = Command.make("list", {
  ...connection,
  ...paging,
  campaign: Options.text("campaign").pipe(Options.withDescription("Only this campaign's removals."), Options.optional),
  phone: Options.text("phone").pipe(Options.withDescription("Only leads that had this number (E.164)."), Options.optional),
  apiKeyId: Options.text("api-key-id").pipe(Options.withDescription("Only removals made with this API key (key_…)."), Options.optional),
  from: dateOption("from", "Removed at or after (ISO 8601)."),
  to: dateOption("to", "Removed at or before (ISO 8601)."),
  format: Options.choice("format", ["table", "json", "csv"]).pipe(
    Options.withDescription("table for people, json (as --json: one value per line) or csv (a header row, then one row per removal)."),
    defaultTo("table")
  )
}, lazy(removalsModule, (m, a) => m.list(a))).pipe(
  Command.withDescription(help(
    "List the removal audit records, newest first: who removed which lead, when, why, and from which state.",
    [
      "leadq removals list --campaign cmp_…",
      "leadq removals list --phone +14155550123 --json",
      "leadq removals list --from 2026-06-01 --to 2026-06-30T23:59:59Z --all --format csv > removals-june.csv"
    ],
    ["Records are written with each removal and never changed or deleted. --format csv with --all streams every page."]
  ))
)

const removalsGet = Command.make("get", { ...connection, id: id("lead") }, lazy(removalsModule, (m, a) => m.get(a))).pipe(
  Command.withDescription(help(
    "Show the removal audit record of a lead (a removed lead is not found by `leadq leads get`).",
    ["leadq removals get lead_…"]
  ))
)

const removals = Command.make("removals", {}, chooseOne("removals", "list|get")).pipe(
  Command.withDescription(help("The removal audit: list and show removal records, for compliance reviews.")),
  Command.withSubcommands([removalsList, removalsGet])
)

// ---------------------------------------------------------------------------------------------
// suppressions

const phoneArg = Args.text({ name: "phone" }).pipe(Args.withDescription("The number, in E.164 (+14155550123)."))

const suppressionsAdd = Command.make("add", {
  ...connection,
  phone: phoneArg,
  countryCode: Options.text("country-code").pipe(Options.withDescription("Dialling code, for a national number."), Options.optional),
  reason: Options.text("reason").pipe(Options.withDescription("Why (at most 500 characters)."), Options.optional),
  expiresAt: dateOption("expires-at", "When the suppression ends (ISO 8601, in the future); never if absent.")
}, lazy(suppressionsModule, (m, a) => m.add(a))).pipe(
  Command.withDescription(help(
    "Suppress a number: no campaign of the organization calls it again, from this answer on.",
    ["leadq suppressions add +14155550123 --reason \"asked not to be called\"", "leadq suppressions add 4155550123 --country-code 1 --expires-at 2027-01-01"],
    ["A lead with the number that is about to be dialled is removed instead (reason suppressed); adding one is refused. A number already suppressed gets the new reason and expiry."]
  ))
)

const suppressionsList = Command.make("list", {
  ...connection,
  ...paging,
  phone: Options.text("phone").pipe(Options.withDescription("Only this number (E.164)."), Options.optional)
}, lazy(suppressionsModule, (m, a) => m.list(a))).pipe(
  Command.withDescription(help("List the active suppressions, oldest first.", ["leadq suppressions list", "leadq suppressions list --all --json"]))
)

const suppressionsGet = Command.make("get", { ...connection, phone: phoneArg }, lazy(suppressionsModule, (m, a) => m.get(a))).pipe(
  Command.withDescription(help(
    "Show a number's suppression and the history of its lifts, newest first (exit 1 when it is not suppressed now, or expired — after any lifts it has).",
    ["leadq suppressions get +14155550123", "leadq suppressions get +14155550123 --json"]
  ))
)

const suppressionsRemove = Command.make("remove", { ...connection, phone: phoneArg }, lazy(suppressionsModule, (m, a) => m.remove(a))).pipe(
  Command.withDescription(help(
    "Lift a suppression: the number may be called again. The lift is recorded (who, when, what).",
    ["leadq suppressions remove +14155550123"]
  ))
)

const suppressionsUpload = Command.make("upload", {
  ...connection,
  file: Options.file("file", { exists: "yes" }).pipe(Options.withDescription("A CSV file with a phone_number column (at most 10 MB, 100,000 rows)."))
}, lazy(suppressionsModule, (m, a) => m.upload(a))).pipe(
  Command.withDescription(help(
    "Suppress the numbers of a CSV file, all or nothing.",
    ["leadq suppressions upload --file do-not-call.csv"],
    ["Columns: phone_number (required), country_code, reason, expires_at. Any invalid row rejects the whole file, with its row numbers."]
  ))
)

const suppressions = Command.make("suppressions", {}, chooseOne("suppressions", "add|list|get|remove|upload")).pipe(
  Command.withDescription(help("The organization's suppression list: numbers no campaign calls.")),
  Command.withSubcommands([suppressionsAdd, suppressionsList, suppressionsGet, suppressionsRemove, suppressionsUpload])
)

// ---------------------------------------------------------------------------------------------
// webhooks

const EVENT_LIST = "lead.removed, lead.suppressed, suppression.lifted, call.started, call.ended, campaign.status_changed"
const webhookIdArg = Args.text({ name: "id" }).pipe(Args.withDescription("The endpoint id (wh_…)."))
const descriptionOption = Options.text("description").pipe(Options.withDescription("A note for people (at most 500 characters)."), Options.optional)

const webhooksCreate = Command.make("create", {
  ...connection,
  endpoint: Args.text({ name: "endpoint-url" }).pipe(Args.withDescription("Where events are POSTed (http or https, no credentials).")),
  events: Options.text("events").pipe(Options.withDescription(`Comma-separated event types: ${EVENT_LIST}.`)),
  description: descriptionOption,
  disabled: Options.boolean("disabled").pipe(Options.withDescription("Create it disabled (nothing sent until --enable)."))
}, lazy(webhooksModule, (m, a) => m.create(a))).pipe(
  Command.withDescription(help(
    "Create a webhook endpoint. Its signing secret is printed once.",
    ["leadq webhooks create https://crm.example.com/leadq --events lead.removed,lead.suppressed --description \"CRM opt-outs\""],
    ["Events created from now on are sent to it, signed with the secret (docs/webhooks.md)."]
  ))
)

const webhooksList = Command.make("list", { ...connection, ...paging }, lazy(webhooksModule, (m, a) => m.list(a))).pipe(
  Command.withDescription(help("List the webhook endpoints, oldest first (without their secrets).", ["leadq webhooks list", "leadq webhooks list --all --json"]))
)

const webhooksGet = Command.make("get", { ...connection, id: webhookIdArg }, lazy(webhooksModule, (m, a) => m.get(a))).pipe(
  Command.withDescription(help("Show a webhook endpoint (without its secret).", ["leadq webhooks get wh_…"]))
)

const webhooksUpdate = Command.make("update", {
  ...connection,
  id: webhookIdArg,
  endpoint: Options.text("endpoint-url").pipe(Options.withDescription("A new URL to POST events to."), Options.optional),
  events: Options.text("events").pipe(Options.withDescription(`Comma-separated event types, replacing the list: ${EVENT_LIST}.`), Options.optional),
  description: descriptionOption,
  clearDescription: Options.boolean("clear-description").pipe(Options.withDescription("Remove the description.")),
  enable: Options.boolean("enable").pipe(Options.withDescription("Send events to it.")),
  disable: Options.boolean("disable").pipe(Options.withDescription("Stop sending events to it (kept, not deleted)."))
}, lazy(webhooksModule, (m, a) => m.update(a))).pipe(
  Command.withDescription(help(
    "Change a webhook endpoint's URL, events, description or enabled flag. The secret does not change.",
    ["leadq webhooks update wh_… --disable", "leadq webhooks update wh_… --events call.ended --endpoint-url https://crm.example.com/calls"]
  ))
)

const webhooksDelete = Command.make("delete", { ...connection, id: webhookIdArg }, lazy(webhooksModule, (m, a) => m.remove(a))).pipe(
  Command.withDescription(help("Delete a webhook endpoint: nothing is sent to it any more.", ["leadq webhooks delete wh_…"]))
)

// the delivery side (deliveries, resend)

const endpointArg = Args.text({ name: "endpoint-id" }).pipe(Args.withDescription("The webhook endpoint id (wh_…)."))

const webhooksDeliveries = Command.make("deliveries", {
  ...connection,
  ...paging,
  endpoint: endpointArg,
  status: Options.choice("status", ["pending", "delivered", "failed"]).pipe(Options.withDescription("Only deliveries in this status."), Options.optional)
}, lazy(webhookDeliveriesModule, (m, a) => m.deliveries(a))).pipe(
  Command.withDescription(help(
    "List what was sent to a webhook endpoint and how it went, newest event first.",
    ["leadq webhooks deliveries wh_…", "leadq webhooks deliveries wh_… --status failed --json"]
  ))
)

const webhooksResend = Command.make("resend", {
  ...connection,
  endpoint: endpointArg,
  delivery: Args.text({ name: "delivery-id" }).pipe(Args.withDescription("The delivery id (dlv_…)."))
}, lazy(webhookDeliveriesModule, (m, a) => m.resend(a))).pipe(
  Command.withDescription(help(
    "Send a delivery again: the same event, with the same id (receivers that de-duplicate ignore a copy they have).",
    ["leadq webhooks resend wh_… dlv_…"],
    ["It is queued at once with a fresh 24 h of retries and goes before the endpoint's later events."]
  ))
)

/** The webhook delivery subcommands, for the `webhooks` group. */
const webhookDeliveryCommands = [webhooksDeliveries, webhooksResend] as const

const webhooks = Command.make("webhooks", {}, chooseOne("webhooks", "create|list|get|update|delete|deliveries|resend")).pipe(
  Command.withDescription(help("The organization's webhook endpoints: where leadq sends its events.")),
  Command.withSubcommands([webhooksCreate, webhooksList, webhooksGet, webhooksUpdate, webhooksDelete, ...webhookDeliveryCommands])
)

// ---------------------------------------------------------------------------------------------
// keys

const database = {
  databaseUrl: Options.text("database-url").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription("The database; else $DATABASE_URL, else sqlite:./data/leadq.db."),
    Options.withFallbackConfig(environmentSetting("DATABASE_URL", Schema.Trim)),
    Options.withDefault("sqlite:./data/leadq.db")
  ),
  json: connection.json
}

const keysCreate = Command.make("create", {
  ...database,
  org: Options.text("org").pipe(Options.withDescription("The organization (created on first use)."))
}, lazy(keysModule, (m, a) => m.create(a))).pipe(
  Command.withDescription(help(
    "Create an API key for an organization, in the database itself (not through a gateway). The key is printed once.",
    ["leadq keys create --org acme", "DATABASE_URL=postgres://leadq@db/leadq leadq keys create --org acme --json"]
  ))
)

const keysRevoke = Command.make("revoke", {
  ...database,
  id: Args.text({ name: "id" }).pipe(Args.withDescription("The key id (key_…), or the key itself (lq_…)."))
}, lazy(keysModule, (m, a) => m.revoke(a))).pipe(
  Command.withDescription(help("Revoke an API key: requests with it are refused from now on.", ["leadq keys revoke key_…"]))
)

const keys = Command.make("keys", {}, chooseOne("keys", "create|revoke")).pipe(
  Command.withDescription(help("Create and revoke API keys (in the database named by DATABASE_URL).")),
  Command.withSubcommands([keysCreate, keysRevoke])
)

// ---------------------------------------------------------------------------------------------

const leadq = Command.make("leadq", {}, chooseOne("", "campaigns|leads|call-logs|removals|suppressions|webhooks|keys")).pipe(
  Command.withDescription(help(
    "The leadq operator CLI: campaigns, leads, call logs, the removal audit, suppressions, webhooks and API keys.",
    [
      "export LEADQ_URL=http://127.0.0.1:8080 LEADQ_API_KEY=lq_…",
      "leadq campaigns list",
      "leadq leads remove-many --file optout.txt"
    ],
    ["Exit codes: 0 ok, 1 a request failed, 2 bad usage. Completions: leadq --completions bash|zsh|fish."]
  )),
  Command.withSubcommands([campaigns, leads, callLogs, removals, suppressions, webhooks, keys])
)

export const cli = Command.run(leadq, { name: "leadq", version: VERSION })
