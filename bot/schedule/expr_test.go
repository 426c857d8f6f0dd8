package schedule

import (
	"strings"
	"testing"
	"time"
)

var shanghai = time.FixedZone("CST", 8*3600)

func TestParse_phrases(t *testing.T) {
	for _, c := range []struct{ in, cron string }{
		{"weekdays 09:00", "0 9 * * 1-5"},
		{"Weekdays  9:05", "5 9 * * 1-5"},
		{"every weekday at 09:00", "0 9 * * 1-5"},
		{"daily 18:30", "30 18 * * *"},
		{"every day 18:30", "30 18 * * *"},
		{"every monday 09:00", "0 9 * * 1"},
		{"mondays 09:00", "0 9 * * 1"},
		{"every fri 17:45", "45 17 * * 5"},
		{"every sunday 08:00", "0 8 * * 0"},
		{"weekends 10:00", "0 10 * * 0,6"},
		{"hourly", "0 * * * *"},
		{"every hour", "0 * * * *"},
		{"every 2h", "0 */2 * * *"},
		{"every 12 hours", "0 */12 * * *"},
		{"every 1h", "0 * * * *"},
		{"every 30m", "*/30 * * * *"},
		{"every 15 minutes", "*/15 * * * *"},
		{"every 120m", "0 */2 * * *"},
		{"工作日 09:00", "0 9 * * 1-5"},
		{"工作日09:00", "0 9 * * 1-5"},
		{"每个工作日 09：30", "30 9 * * 1-5"},
		{"每天 18:30", "30 18 * * *"},
		{"每日 07:00", "0 7 * * *"},
		{"每周一 09:00", "0 9 * * 1"},
		{"每星期五 17:00", "0 17 * * 5"},
		{"周日 20:00", "0 20 * * 0"},
		{"每周天 20:00", "0 20 * * 0"},
		{"周末 10:00", "0 10 * * 0,6"},
		{"每小时", "0 * * * *"},
		{"每2小时", "0 */2 * * *"},
		{"每 30 分钟", "*/30 * * * *"},
		{"0 9 * * 1-5", "0 9 * * 1-5"},
		{"*/15 * * * *", "*/15 * * * *"},
		{"@daily", "@daily"},
		{"@hourly", "@hourly"},
	} {
		e, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if e.Cron != c.cron {
			t.Errorf("Parse(%q) = %q, want %q", c.in, e.Cron, c.cron)
		}
	}
}

func TestParse_refuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "say when"},
		{"every 5m", "at most every 15 minutes"},
		{"每5分钟", "at most every 15 minutes"},
		{"* * * * *", "at most every 15 minutes"},
		{"*/10 * * * *", "at most every 15 minutes"},
		{"0,5 9 * * *", "at most every 15 minutes"},
		{"55 23,0 * * *", ""}, // 23:55 → 00:55: fine
		{"every 7h", "does not divide a day"},
		{"every 25m", "does not divide an hour"},
		{"every 1m", "at most every 15 minutes"},
		{"@every 1h", "not accepted"},
		{"CRON_TZ=UTC 0 9 * * *", "not accepted"},
		{"0 9 30 2 *", "never runs"},
		{"daily 25:00", "cannot read"},
		{"every funday 09:00", "cannot read"},
		{"tomorrow", "cannot read"},
		{"明天", "cannot read"},
		{"每周八 09:00", "cannot read"},
		{strings.Repeat("x", 101), "longer than"},
	} {
		_, err := Parse(c.in)
		if c.want == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", c.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", c.in, err, c.want)
		}
	}
}

// Slots are read in the bot's timezone: weekdays 09:00 in Shanghai on a Friday evening is Monday 09:00 there.
func TestExpr_nextInTimezone(t *testing.T) {
	e, err := Parse("工作日 09:00")
	if err != nil {
		t.Fatal(err)
	}
	fri := time.Date(2026, 12, 4, 18, 0, 0, 0, shanghai) // a Friday
	got := e.Next(fri, shanghai)
	if want := time.Date(2026, 12, 7, 9, 0, 0, 0, shanghai); !got.Equal(want) {
		t.Fatalf("next = %v, want %v", got, want)
	}
	if got := e.Next(fri.UTC(), shanghai); !got.Equal(time.Date(2026, 12, 7, 9, 0, 0, 0, shanghai)) {
		t.Fatalf("next from a UTC time = %v", got)
	}
}

// FuzzParse: no input panics; whatever parses has a next slot and no two of its slots closer than MinInterval.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"weekdays 09:00", "每天 18:30", "every 2h", "0 9 * * 1-5", "*/15 * * * *", "@daily", "每周一 09：00",
		"every 30 minutes", "0 0 29 2 *", "1-59/20 * * * *", "0 0 * * 7", "every 0h", "每0分钟"} {
		f.Add(s)
	}
	from := time.Date(2026, 12, 3, 10, 0, 0, 0, shanghai)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		prev := e.Next(from, shanghai)
		if prev.IsZero() {
			t.Fatalf("%q (%s) parsed but has no next slot", s, e.Cron)
		}
		for range 50 {
			n := e.Next(prev, shanghai)
			if n.IsZero() {
				return
			}
			if n.Sub(prev) < MinInterval {
				t.Fatalf("%q (%s): slots %v and %v are closer than %v", s, e.Cron, prev, n, MinInterval)
			}
			prev = n
		}
	})
}
