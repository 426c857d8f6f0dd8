package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/schedule"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// scheduleAnswers are the messages to user that answer a run of schedule #id.
func scheduleAnswers(emu interface {
	Delivered(string) []emulator.SentMessage
}, user string, id int) []string {
	var out []string
	for _, m := range emu.Delivered(user) {
		if strings.Contains(m.Content, fmt.Sprintf("Schedule #%d", id)) && !strings.Contains(m.Content, "Next run:") &&
			!strings.Contains(m.Content, "is removed") {
			out = append(out, m.Content)
		}
	}
	return out
}

// TestSchedule_addRunDenyRemove: a mutating command is refused at add; a schedule runs as its creator through
// the inbox (audited via the schedule); /schedule list shows its next run; a creator who lost the permission
// gets a notice instead of the answer and the list says so; removing it stops it.
func TestSchedule_addRunDenyRemove(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	ctx := t.Context()

	// Refused at add: mutating, unknown, missing permission, too often, unparsable.
	for _, c := range []struct{ from, line, want string }{
		{"zhangsan", `/schedule add "every monday 09:00" /devices delete ABC --type trusted`, "cannot be scheduled"},
		{"zhangsan", `/schedule add daily 09:00 /devcies`, "did you mean /devices"},
		{"zhangsan", `/schedule add daily 09:00 /lang en`, "cannot be scheduled"},
		{"zhangsan", `/schedule add "every 5m" /whoami`, "at most every 15 minutes"},
		{"zhangsan", `/schedule add "next tuesday-ish" /whoami`, "cannot read"},
		{"wujiu", `/schedule add daily 09:00 /staff lisi`, "permission"},
		{"lisi", `/schedule add daily 09:00 /whoami`, "schedule.manage"},
	} {
		if got := s.say(t, c.from, c.line); !contains(got, c.want) {
			t.Errorf("%s %s: %q; want it refused saying %q", c.from, c.line, got, c.want)
		}
	}
	if list, _ := s.app.db.ListSchedules(ctx, "", 100); len(list) != 0 {
		t.Fatalf("refused adds stored %d schedules", len(list))
	}

	// wujiu (security, by the 安全管理员 tag) schedules a read command with a flag of its own.
	got := s.say(t, "wujiu", `/schedule add "weekdays 09:00" /devices pending --page 1`)
	if !contains(got, "Schedule #1") {
		t.Fatalf("add: %q", got)
	}
	sc, err := s.app.db.GetSchedule(ctx, 1)
	if err != nil || sc.Line != "/devices pending --page 1" || sc.Cron != "0 9 * * 1-5" || sc.Creator != "wujiu" {
		t.Fatalf("stored %+v, %v", sc, err)
	}
	loc := s.app.cfg.Replies.Location()
	e, _ := schedule.Parse("weekdays 09:00")
	next := e.Next(time.Now(), loc)
	if !sc.NextRun.Equal(next) {
		t.Errorf("next run %v, want %v", sc.NextRun, next)
	}
	if got := s.say(t, "wujiu", "/schedule list"); !contains(got, "#1") || !contains(got, next.In(loc).Format("01-02 15:04")) {
		t.Errorf("list: %q; want #1 with its next run %s", got, next.In(loc).Format("01-02 15:04"))
	}

	// Its slot comes: it runs once, as wujiu, through the inbox.
	var last int64
	due := func() { // the slot is now (each a second after the last, so each is a new slot)
		t.Helper()
		last = max(time.Now().Unix(), last+1)
		if _, err := s.app.db.SQL().ExecContext(ctx, `UPDATE schedules SET next_run = ? WHERE id = 1`, last); err != nil {
			t.Fatal(err)
		}
		s.app.schedules.Kick()
	}
	due()
	waitFor(t, 20*time.Second, "the scheduled run's answer", func() bool { return len(scheduleAnswers(s.emu, "wujiu", 1)) == 1 })
	ans := scheduleAnswers(s.emu, "wujiu", 1)[0]
	if strings.Contains(ans, "because the bot was down") {
		t.Errorf("an on-time run says it is late: %q", ans)
	}
	if !strings.Contains(ans, "/devices pending") {
		t.Errorf("the answer does not name its command: %q", ans)
	}
	var via int
	s.app.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit WHERE actor = 'wujiu' AND command = 'devices'
		AND decision = 'ok' AND args LIKE '%"via":"schedule #1"%'`).Scan(&via)
	if via != 1 {
		t.Errorf("%d audit rows of the run marked via schedule #1; want 1", via)
	}
	sc, _ = s.app.db.GetSchedule(ctx, 1)
	if !sc.NextRun.After(time.Now()) || sc.LastStatus != "ok" {
		t.Errorf("after the run: next %v, status %q", sc.NextRun, sc.LastStatus)
	}

	// wujiu loses devices.read (the security role changes): the next slot is a notice, not the device list.
	var roles []access.Role
	for _, r := range rolesOf(s.app.cfg.Access) {
		if r.Name == "security" {
			r.Perms = []string{"schedule.*", "alerts.*"}
		}
		roles = append(roles, r)
	}
	if err := s.app.access.Reload(s.app.cfg.Access.Admins, roles); err != nil {
		t.Fatal(err)
	}
	due()
	waitFor(t, 20*time.Second, "the notice", func() bool { return len(scheduleAnswers(s.emu, "wujiu", 1)) == 2 })
	notice := scheduleAnswers(s.emu, "wujiu", 1)[1]
	if !strings.Contains(notice, "no longer have the permission") || !strings.Contains(notice, "devices.read") || strings.Contains(notice, "Devices") {
		t.Errorf("notice: %q", notice)
	}
	if got := s.say(t, "wujiu", "/schedule list"); !contains(got, "last run refused") {
		t.Errorf("list after the denial: %q", got)
	}
	var denied int
	s.app.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit WHERE actor = 'wujiu' AND command = 'devices'
		AND decision = 'denied' AND args LIKE '%"via":"schedule #1"%'`).Scan(&denied)
	if denied != 1 {
		t.Errorf("%d denied audit rows via the schedule; want 1", denied)
	}

	// Keeping schedules is a right too: without schedule.manage (devices.read given back) it does not run either.
	roles = roles[:0]
	for _, r := range rolesOf(s.app.cfg.Access) {
		if r.Name == "security" {
			r.Perms = []string{"devices.*"}
		}
		roles = append(roles, r)
	}
	if err := s.app.access.Reload(s.app.cfg.Access.Admins, roles); err != nil {
		t.Fatal(err)
	}
	due()
	waitFor(t, 20*time.Second, "the second notice", func() bool { return len(scheduleAnswers(s.emu, "wujiu", 1)) == 3 })
	if notice := scheduleAnswers(s.emu, "wujiu", 1)[2]; !strings.Contains(notice, "schedule.manage") {
		t.Errorf("notice without schedule.manage: %q", notice)
	}
	if err := s.app.access.Reload(s.app.cfg.Access.Admins, rolesOf(s.app.cfg.Access)); err != nil {
		t.Fatal(err)
	}

	// Another member cannot remove it; its creator can, and then its slots never fire.
	if got := s.say(t, "zhaoliu", "/schedule remove 1"); contains(got, "is removed") {
		t.Errorf("zhaoliu removed wujiu's schedule: %q", got)
	}
	if got := s.say(t, "wujiu", "/schedule remove 1"); !contains(got, "is removed") {
		t.Fatalf("remove: %q", got)
	}
	s.app.db.SQL().ExecContext(ctx, `UPDATE schedules SET next_run = ? WHERE id = 1`, time.Now().Add(-time.Minute).Unix())
	if n, err := s.app.schedules.FireDue(ctx); err != nil || n != 0 {
		t.Errorf("a removed schedule fired %d slots (%v)", n, err)
	}
	if got := s.say(t, "wujiu", "/schedule list"); contains(got, "#1") {
		t.Errorf("list after remove: %q", got)
	}
}

// TestSchedule_crashAndMissedSlot runs `wecombot serve` as a process. A slot missed while the bot was down (twelve of
// "every 15m") runs once on start and says it is late; a slot whose run the bot is SIGKILLed in (fired into the
// inbox, the answer not sent) runs exactly once after the restart: the emulator delivers one answer per slot.
func TestSchedule_crashAndMissedSlot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	addr := freeAddr(t)
	emu := wecomtest.NewServer(t, emulator.Options{CallbackURL: "http://" + addr + "/wecom/callback",
		Token: testToken, EncodingAESKey: testAESKey})
	cfg, cfgPath := writeServeConfig(t, addr, emu.URL)
	appendFile(t, cfgPath, "[replies]\nlanguage = \"en\"\n"+sampleAccessTOML) // zhangsan is an admin
	bot := startBotProcess(t, cfgPath, addr)
	if !postCallback(t, emu.Server, addr, "zhangsan", `/schedule add "every 15m" /whoami`, 700_001) {
		t.Fatal("the add was not acknowledged")
	}
	waitFor(t, 20*time.Second, "the add's answer", func() bool {
		for _, m := range emu.Delivered("zhangsan") {
			if strings.Contains(m.Content, "Schedule #1") {
				return true
			}
		}
		return false
	})
	bot.Process.Signal(syscall.SIGKILL)
	bot.Wait()

	// Store access from outside the bot, as an operator's sqlite3 would.
	store, err := sql.Open("sqlite3", "file:"+cfg.Store.Path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	setNext := func(at time.Time) {
		t.Helper()
		if _, err := store.Exec(`UPDATE schedules SET next_run = ? WHERE id = 1`, at.Unix()); err != nil {
			t.Fatal(err)
		}
	}

	// 1. Down for three hours: twelve slots missed; one run on start, late.
	missed := time.Now().Add(-3 * time.Hour).Truncate(15 * time.Minute)
	setNext(missed)
	bot = startBotProcess(t, cfgPath, addr)
	waitFor(t, 30*time.Second, "the missed slot's run", func() bool { return len(scheduleAnswers(emu, "zhangsan", 1)) >= 1 })
	late := scheduleAnswers(emu, "zhangsan", 1)[0]
	loc := cfg.Replies.Location()
	if !strings.Contains(late, "because the bot was down") || !strings.Contains(late, missed.In(loc).Format("15:04")) {
		t.Errorf("the missed slot's answer does not say it is late: %q", late)
	}
	waitFor(t, 30*time.Second, "the answer to be recorded as sent", func() bool { return outboxSettled(t, store) })

	// 2. A slot fires and the bot is killed before its answer leaves (WeCom unreachable meanwhile).
	bot.Process.Signal(syscall.SIGKILL)
	bot.Wait()
	slot := time.Now().Add(2 * time.Second)
	setNext(slot)
	emu.SetUnreachable(true)
	bot = startBotProcess(t, cfgPath, addr)
	key := fmt.Sprintf("schedule:1:%d", slot.Unix())
	waitFor(t, 30*time.Second, "the slot to be fired into the inbox", func() bool {
		var n int
		store.QueryRow(`SELECT COUNT(*) FROM inbox WHERE dedupe_key = ?`, key).Scan(&n)
		return n == 1
	})
	bot.Process.Signal(syscall.SIGKILL)
	bot.Wait()
	emu.SetUnreachable(false)
	bot = startBotProcess(t, cfgPath, addr)
	waitFor(t, 60*time.Second, "the killed slot's run", func() bool { return len(scheduleAnswers(emu, "zhangsan", 1)) >= 2 })
	waitFor(t, 60*time.Second, "every answer to be recorded as sent", func() bool { return outboxSettled(t, store) })
	bot.Process.Signal(syscall.SIGTERM)
	bot.Wait()

	answers := scheduleAnswers(emu, "zhangsan", 1)
	if len(answers) != 2 {
		t.Fatalf("%d answers for 2 slots (one missed, one killed); want exactly one each:\n%s", len(answers), strings.Join(answers, "\n---\n"))
	}
	var fired, done int
	store.QueryRow(`SELECT COUNT(*), COALESCE(SUM(state = 'done'), 0) FROM inbox WHERE kind = ?`, db.KindSchedule).Scan(&fired, &done)
	if fired != 2 || done != 2 {
		t.Errorf("%d slots fired (%d done); want 2", fired, done)
	}
	var next int64
	store.QueryRow(`SELECT next_run FROM schedules WHERE id = 1`).Scan(&next)
	if time.Unix(next, 0).Before(slot) {
		t.Errorf("next run %v is not after the killed slot %v", time.Unix(next, 0), slot)
	}
	t.Logf("answers: %q", answers)
}

// outboxSettled reports whether every outbox row has been sent (or given up).
func outboxSettled(t *testing.T, store *sql.DB) bool {
	var open int
	if err := store.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')`).Scan(&open); err != nil {
		return false
	}
	return open == 0
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
