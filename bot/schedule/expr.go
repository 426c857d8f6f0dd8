// Package schedule runs members' read commands at the slots of a cron expression: /schedule add, list and
// remove, the loop that fires due slots into the inbox, and the handler that runs a fired slot as its creator.
package schedule

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wecombot/wecombot/bot"
)

// MinInterval bounds how often a schedule may run: each run is a message of the member's 30 a minute, and a
// schedule nobody reads at that rate is noise.
const MinInterval = 15 * time.Minute

// maxSpec bounds the expression's length before it is parsed.
const maxSpec = 100

// cronParser reads the five standard fields and the @hourly/@daily descriptors (not @every, whose slots depend
// on when it was parsed, so they would move across restarts).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var (
	clockRE = `([01]?[0-9]|2[0-3])[:：]([0-5][0-9])`
	// "daily 18:30", "every day 18:30", "每天 18:30", "每日18:30"
	dailyRE = regexp.MustCompile(`^(?:daily|every day|每天|每日)\s*(?:at\s+)?` + clockRE + `$`)
	// "weekdays 09:00", "every weekday 09:00", "工作日 09:00", "每个工作日 09:00"
	weekdaysRE = regexp.MustCompile(`^(?:weekdays|every weekday|工作日|每个工作日|每工作日)\s*(?:at\s+)?` + clockRE + `$`)
	// "weekends 10:00", "周末 10:00"
	weekendsRE = regexp.MustCompile(`^(?:weekends|every weekend|周末|每周末)\s*(?:at\s+)?` + clockRE + `$`)
	// "every monday 09:00", "mondays 09:00", "每周一 09:00", "每星期一 09:00", "周一 09:00"
	weeklyRE   = regexp.MustCompile(`^(?:every\s+)?([a-z]+?)s?\s+(?:at\s+)?` + clockRE + `$`)
	weeklyZhRE = regexp.MustCompile(`^(?:每)?(?:周|星期|礼拜)([一二三四五六日天])\s*` + clockRE + `$`)
	// "every 2h", "every 2 hours", "每2小时", "每 2 小时"
	hoursRE   = regexp.MustCompile(`^(?:every\s*([0-9]{1,2})\s*(?:h|hr|hrs|hour|hours)|每\s*([0-9]{1,2})\s*(?:个)?小时)$`)
	minutesRE = regexp.MustCompile(`^(?:every\s*([0-9]{1,4})\s*(?:m|min|mins|minute|minutes)|每\s*([0-9]{1,4})\s*分钟)$`)
)

var weekdays = map[string]int{"sunday": 0, "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
	"sun": 0, "mon": 1, "tue": 2, "tues": 2, "wed": 3, "thu": 4, "thur": 4, "thurs": 4, "fri": 5, "sat": 6}

var zhWeekdays = map[string]int{"日": 0, "天": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}

// Expr is a parsed schedule expression.
type Expr struct {
	Cron  string // the cron form stored and shown
	sched cron.Schedule
}

// Next returns the first slot after t, in loc; zero when there is none.
func (e *Expr) Next(t time.Time, loc *time.Location) time.Time {
	return e.sched.Next(t.In(loc))
}

// Parse reads a schedule expression: a phrase in English or Chinese ("weekdays 09:00", "每天 18:30", "every
// 2h", "每小时") or a cron line ("0 9 * * 1-5"), in the bot's timezone. It refuses what does not parse and
// what runs more often than MinInterval.
func Parse(spec string) (*Expr, error) {
	s := strings.ToLower(strings.Join(strings.Fields(spec), " "))
	if s == "" {
		return nil, bot.Errorf(bot.EINVALID, "say when, like \"weekdays 09:00\", \"daily 18:30\", \"every monday 09:00\", \"every 2h\" or a cron line \"0 9 * * 1-5\"")
	}
	if len(s) > maxSpec {
		return nil, bot.Errorf(bot.EINVALID, "the schedule is longer than %d bytes", maxSpec)
	}
	c, err := phrase(s)
	if err != nil {
		return nil, err
	}
	if c == "" {
		if strings.Contains(s, "tz=") || strings.HasPrefix(s, "@every") {
			return nil, bot.Errorf(bot.EINVALID, "%q is not accepted: schedules run in the bot's timezone, at fixed times (write \"every 2h\" rather than @every)", spec)
		}
		c = s
	}
	sched, err := cronParser.Parse(c)
	if err != nil {
		return nil, bot.Errorf(bot.EINVALID, "I cannot read %q as a schedule: write it like \"weekdays 09:00\", \"daily 18:30\", \"every monday 09:00\", \"every 2h\", \"工作日 09:00\" or a cron line such as \"0 9 * * 1-5\"", spec)
	}
	e := &Expr{Cron: c, sched: sched}
	if err := e.checkInterval(); err != nil {
		return nil, err
	}
	return e, nil
}

// phrase turns a friendly phrase into cron; "" when s is not one.
func phrase(s string) (string, error) {
	at := func(h, m string) (int, int) { hh, _ := strconv.Atoi(h); mm, _ := strconv.Atoi(m); return hh, mm }
	switch s {
	case "hourly", "every hour", "每小时", "每个小时":
		return "0 * * * *", nil
	}
	if m := dailyRE.FindStringSubmatch(s); m != nil {
		h, mi := at(m[1], m[2])
		return fmt.Sprintf("%d %d * * *", mi, h), nil
	}
	if m := weekdaysRE.FindStringSubmatch(s); m != nil {
		h, mi := at(m[1], m[2])
		return fmt.Sprintf("%d %d * * 1-5", mi, h), nil
	}
	if m := weekendsRE.FindStringSubmatch(s); m != nil {
		h, mi := at(m[1], m[2])
		return fmt.Sprintf("%d %d * * 0,6", mi, h), nil
	}
	if m := weeklyZhRE.FindStringSubmatch(s); m != nil {
		h, mi := at(m[2], m[3])
		return fmt.Sprintf("%d %d * * %d", mi, h, zhWeekdays[m[1]]), nil
	}
	if m := weeklyRE.FindStringSubmatch(s); m != nil {
		d, ok := weekdays[m[1]]
		if !ok {
			d, ok = weekdays[m[1]+"s"] // "tues" read as "tue" + s
		}
		if ok {
			h, mi := at(m[2], m[3])
			return fmt.Sprintf("%d %d * * %d", mi, h, d), nil
		}
	}
	if m := hoursRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1] + m[2])
		if n < 1 || 24%n != 0 {
			return "", bot.Errorf(bot.EINVALID, "every %dh does not divide a day evenly: use 1, 2, 3, 4, 6, 8 or 12 hours, or a cron line", n)
		}
		if n == 1 {
			return "0 * * * *", nil
		}
		return fmt.Sprintf("0 */%d * * *", n), nil
	}
	if m := minutesRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1] + m[2])
		if n < int(MinInterval/time.Minute) {
			return "", errTooOften()
		}
		switch {
		case n%60 == 0 && 24%(n/60) == 0:
			if n == 60 {
				return "0 * * * *", nil
			}
			return fmt.Sprintf("0 */%d * * *", n/60), nil
		case 60%n == 0:
			return fmt.Sprintf("*/%d * * * *", n), nil
		}
		return "", bot.Errorf(bot.EINVALID, "every %d minutes does not divide an hour evenly: use 15, 20 or 30 minutes, whole hours, or a cron line", n)
	}
	return "", nil
}

func errTooOften() error {
	return bot.Errorf(bot.EINVALID, "a schedule may run at most every %d minutes: each run is a message, and a member gets 30 a minute", int(MinInterval/time.Minute))
}

// checkInterval refuses an expression with two slots closer than MinInterval within 32 days of its first slot
// (a month and a day covers every pattern of day-of-month and weekday), or with no slot at all.
func (e *Expr) checkInterval() error {
	// UTC: the gaps of a cron line are the same in every zone but around DST changes, which China does not have.
	t := e.sched.Next(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if t.IsZero() { // cron looks five years ahead: "0 9 30 2 *" never comes
		return bot.Errorf(bot.EINVALID, "that schedule never runs")
	}
	end := t.Add(32 * 24 * time.Hour)
	for i := 0; i < 3200 && t.Before(end); i++ { // 32 days at one slot per 15 min is 3,072
		n := e.sched.Next(t)
		if n.IsZero() {
			break
		}
		if n.Sub(t) < MinInterval {
			return errTooOften()
		}
		t = n
	}
	return nil
}
