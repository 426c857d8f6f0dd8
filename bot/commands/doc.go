package commands

import (
	"fmt"
	"strings"
)

// Doc renders the command reference (docs/commands.md) from the declarations, so it cannot drift from them.
func Doc(r *Registry) string {
	var b strings.Builder
	b.WriteString("# Commands\n\n")
	b.WriteString("Generated from the command declarations by `go test ./cmd/bot -run TestCommandsDoc -update`; do not edit by hand.\n\n")
	b.WriteString("Permissions are granted to roles in config.toml (`[access.roles.NAME] permissions = [...]`); admins hold all.\n")
	b.WriteString("Commands marked *confirms* preview what they will do and run only after the caller replies `yes` or taps Run it. The preview comes on one card with the buttons (its list as the card's rows) when it fits there whole; a longer one (devices with their details) comes as a message before the card.\n\n")
	b.WriteString("**Four eyes.** A `[policies.\"PATH\"]` section in config.toml (`approvers = [\"tag:安全管理员\"]`, `more_than = 10`,\n")
	b.WriteString("`expires_after = \"1h\"`; PATH like `devices.delete`, or `devices.*` for a family) holds a confirming command for a\n")
	b.WriteString("second person: after the requester's `yes` the approvers (never the requester) get a card with Approve and Reject.\n")
	b.WriteString("The first approval runs the command once, as the requester, with the requester's arguments and permissions checked\n")
	b.WriteString("again; later clicks are told who decided. A rejection, or no decision within `expires_after`, is told to the\n")
	b.WriteString("requester. The audit trail has the request, each approver's decision, and the run with `approved_by`.\n\n")
	b.WriteString("**Schedules.** `/schedule add WHEN /command args` runs a read command at each slot of WHEN, in the bot's timezone\n")
	b.WriteString("(`replies.timezone`), as the member who added it: `weekdays 09:00`, `daily 18:30`, `every monday 09:00`, `every 2h`,\n")
	b.WriteString("`hourly`, `工作日 09:00`, `每天 18:30`, `每周一 09:00`, `每小时`, or a cron line (`\"0 9 * * 1-5\"`). The line is checked\n")
	b.WriteString("when added (unknown command, usage, permission; commands that confirm cannot be scheduled) and its permission again\n")
	b.WriteString("at every run, with roles resolved then: a member who lost it gets a notice instead, and `/schedule list` says so.\n")
	b.WriteString("At most every 15 minutes, 10 schedules a member, 500 in all. Each slot runs once, also across restarts and crashes;\n")
	b.WriteString("a slot missed while the bot was down runs once when it is back, and its answer says it is late. The run's audit\n")
	b.WriteString("row carries `via: schedule #N`.\n\n")
	b.WriteString("| command | what it does | permission | WeCom APIs |\n|---|---|---|---|\n")
	for _, c := range r.Commands() {
		if c.Hidden {
			continue
		}
		perm := "anyone"
		if c.Perm != "" {
			perm = "`" + c.Perm + "`"
		}
		if c.Mutates {
			perm += ", confirms"
		}
		apis := "—"
		if len(c.APIs) > 0 {
			apis = "`" + strings.Join(c.APIs, "`<br>`") + "`"
		}
		usage := "`" + strings.ReplaceAll(c.Usage(), "|", `\|`) + "`"
		for _, a := range AliasesOf(c) {
			usage += "<br>`" + a + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", usage, c.Summary, perm, apis)
	}
	var files []string
	for _, c := range r.Commands() {
		if !c.Hidden && c.CSV != nil {
			files = append(files, "`/"+c.Path+"`")
		}
	}
	if len(files) > 0 {
		b.WriteString("\n## Files (`--csv`)\n\n")
		b.WriteString(strings.Join(files, ", ") + " take `--csv`: instead of a page, the bot sends the full result for the same " +
			"filters (every page) as one file message, a UTF-8 CSV with a BOM (Excel opens Chinese correctly) and column " +
			"names in the reader's language. It is uploaded with `media/upload` (type `file`; WeCom keeps it 3 days). " +
			"A file holds at most " + Thousands(MaxCSVRows) + " rows and WeCom takes at most 20 MB: a larger result is not sent, " +
			"and the answer says how big it would be and suggests a narrower range (`--since`, `--from`/`--to`) or filters. " +
			"Nothing matching sends no file, just the usual answer. Cells a spreadsheet would run as a formula " +
			"(starting with `=`, `+`, `-`, `@`) get a leading `'`. The audit trail records each file's name, row count, " +
			"size and SHA-256, whether or not the command is otherwise audited.\n")
	}
	b.WriteString("\n## Examples\n\n")
	for _, c := range r.Commands() {
		if c.Hidden || len(c.Examples) == 0 {
			continue
		}
		fmt.Fprintf(&b, "- **/%s**: ", c.Path)
		for i, ex := range c.Examples {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + ex + "`")
		}
		b.WriteString("\n")
	}
	return b.String()
}
