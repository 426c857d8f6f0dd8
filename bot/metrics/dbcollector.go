package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wecombot/wecombot/db"
)

// dbCollector reads the database at scrape time: gauges of the open queues and the audit head, and counters
// from the audit rows and alert digests committed since the last scrape.
type dbCollector struct {
	d *db.DB

	inbox, inboxOldest, outbox, outboxOldest, auditHead *prometheus.Desc
	commands, approvals, acked, silenced, pushed        *prometheus.Desc

	mu        sync.Mutex // one scrape at a time advances the heads
	auditSeq  int64
	digestID  int64
	cmdCounts map[[2]string]float64 // (command, decision)
	apprCount map[[2]string]float64 // (decision, outcome)
	ackedN    float64
	silencedN float64
	pushedN   map[[2]string]float64 // (kind, severity)
	commandsB *bounded
}

func newDBCollector(ctx context.Context, d *db.DB) (*dbCollector, error) {
	c := &dbCollector{d: d,
		inbox: prometheus.NewDesc("wecombot_inbox_messages", "Open callbacks in the inbox, by state (pending, working).",
			[]string{"state"}, nil),
		inboxOldest: prometheus.NewDesc("wecombot_inbox_oldest_pending_age_seconds",
			"Age of the oldest open callback in the inbox (0 when it is empty).", nil, nil),
		outbox: prometheus.NewDesc("wecombot_outbox_messages",
			"Open outbox messages, by state (pending: due or awaiting a retry; held_back: waiting for room in a member's limit; sending) and msgtype.",
			[]string{"state", "msgtype"}, nil),
		outboxOldest: prometheus.NewDesc("wecombot_outbox_oldest_pending_age_seconds",
			"Age of the oldest open outbox message (0 when none).", nil, nil),
		auditHead: prometheus.NewDesc("wecombot_audit_head_seq",
			"Sequence number of the audit chain's last row (compare with an anchor kept elsewhere to detect truncation).", nil, nil),
		commands: prometheus.NewDesc("wecombot_commands_total",
			"Commands and card actions recorded in the audit trail, by command path and decision (ok, denied, failed, cancelled, proposed, expired).",
			[]string{"command", "decision"}, nil),
		approvals: prometheus.NewDesc("wecombot_approval_decisions_total",
			"Approval decisions on member applications (cards and /order approve|reject), by decision (approve, reject) and outcome (the audit decision).",
			[]string{"decision", "outcome"}, nil),
		acked:    prometheus.NewDesc("wecombot_alerts_acked_total", "Alert digests acknowledged with a card's Ack button.", nil, nil),
		silenced: prometheus.NewDesc("wecombot_alerts_silenced_total", "Alert silences set (a card's Silence button or /silence add).", nil, nil),
		pushed: prometheus.NewDesc("wecombot_alerts_pushed_total",
			"Alert messages queued for the teams, by kind (digest, critical, domain_ip) and severity.", []string{"kind", "severity"}, nil),
		cmdCounts: map[[2]string]float64{}, apprCount: map[[2]string]float64{}, pushedN: map[[2]string]float64{},
		commandsB: newBounded(maxCommands),
	}
	var err error
	if _, c.auditSeq, err = d.AuditCountsSince(ctx, 1<<62); err != nil {
		return nil, err
	}
	if _, c.digestID, err = d.DigestCountsSince(ctx, 1<<62); err != nil {
		return nil, err
	}
	return c, nil
}

// Describe implements prometheus.Collector.
func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.inbox, c.inboxOldest, c.outbox, c.outboxOldest, c.auditHead, c.commands,
		c.approvals, c.acked, c.silenced, c.pushed} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g, err := c.d.ReadGauges(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.inbox, err)
	} else {
		for _, st := range []string{"pending", "working"} {
			ch <- prometheus.MustNewConstMetric(c.inbox, prometheus.GaugeValue, float64(g.Inbox[st]), st)
		}
		ch <- prometheus.MustNewConstMetric(c.inboxOldest, prometheus.GaugeValue, g.InboxOldest.Seconds())
		outbox := map[[2]string]float64{}
		for _, o := range g.Outbox {
			outbox[[2]string{o.State, msgTypeLabel(o.MsgType)}] += float64(o.N)
		}
		for k, n := range outbox {
			ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, n, k[0], k[1])
		}
		ch <- prometheus.MustNewConstMetric(c.outboxOldest, prometheus.GaugeValue, g.OutboxOldest.Seconds())
		ch <- prometheus.MustNewConstMetric(c.auditHead, prometheus.GaugeValue, float64(g.AuditHead))
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.advance(ctx); err != nil { // served as a scrape error; the counters below keep their values
		ch <- prometheus.NewInvalidMetric(c.commands, err)
	}
	for k, n := range c.cmdCounts {
		ch <- prometheus.MustNewConstMetric(c.commands, prometheus.CounterValue, n, k[0], k[1])
	}
	for k, n := range c.apprCount {
		ch <- prometheus.MustNewConstMetric(c.approvals, prometheus.CounterValue, n, k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(c.acked, prometheus.CounterValue, c.ackedN)
	ch <- prometheus.MustNewConstMetric(c.silenced, prometheus.CounterValue, c.silencedN)
	for k, n := range c.pushedN {
		ch <- prometheus.MustNewConstMetric(c.pushed, prometheus.CounterValue, n, k[0], k[1])
	}
}

// command counts a command run that has no audit row (see commands.Engine.Observe).
func (c *dbCollector) command(path, decision string) {
	cmd := "other"
	c.mu.Lock()
	defer c.mu.Unlock()
	if validCommand(path) {
		cmd = c.commandsB.label(path)
	}
	c.cmdCounts[[2]string{cmd, decisionLabel(decision)}]++
}

// advance adds the audit rows and digests committed since the last scrape. Called with c.mu held.
func (c *dbCollector) advance(ctx context.Context) error {
	counts, seq, err := c.d.AuditCountsSince(ctx, c.auditSeq)
	if err != nil {
		return err
	}
	c.auditSeq = seq
	for _, a := range counts {
		n := float64(a.N)
		cmd := "other"
		if validCommand(a.Command) {
			cmd = c.commandsB.label(a.Command)
		}
		c.cmdCounts[[2]string{cmd, decisionLabel(a.Decision)}] += n
		switch a.Command {
		case "order approve":
			c.apprCount[[2]string{"approve", decisionLabel(a.Decision)}] += n
		case "order reject":
			c.apprCount[[2]string{"reject", decisionLabel(a.Decision)}] += n
		case "alerts ack":
			if a.Decision == db.DecisionOK {
				c.ackedN += n
			}
		case "alerts silence", "silence add":
			if a.Decision == db.DecisionOK {
				c.silencedN += n
			}
		}
	}
	digests, id, err := c.d.DigestCountsSince(ctx, c.digestID)
	if err != nil {
		return err
	}
	c.digestID = id
	for _, dc := range digests {
		c.pushedN[[2]string{dc.Kind, dc.Severity}] += float64(dc.N)
	}
	return nil
}

func msgTypeLabel(mt string) string {
	if msgTypes[mt] {
		return mt
	}
	return "other"
}

func decisionLabel(d string) string {
	switch d {
	case db.DecisionOK, db.DecisionDenied, db.DecisionFailed, db.DecisionCancelled, db.DecisionProposed, db.DecisionExpired:
		return d
	}
	return "other"
}

// validCommand reports whether s looks like a command path ("order approve"): short, lower-case words.
func validCommand(s string) bool {
	if s == "" || len(s) > 48 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == ' ' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
