package alerts

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Reading the logs in windows.
//
// Each log source has a cursor: the last second of the last window read in full. A poll reads from just after
// it (less an overlap, see below) up to a little before now, in pieces no longer than the API allows (7 days
// for the operation logs, 14 for file records), and commits each piece's alerts together with moving the
// cursor to its end. A crash mid-piece re-reads that piece; what was stored already is dropped by the alerts'
// UNIQUE (rule, key), so nothing is missed and nothing alerts twice.
const (
	// overlap is how far back before the cursor each poll reads again, to catch records WeCom writes with a
	// delay (their time is earlier than when they show up). Records read again are deduplicated by key.
	overlap = 5 * time.Minute
	// maxLag bounds how far behind now a window ends: WeCom wants end_time < now, and clocks differ a little.
	maxLag = 5 * time.Second
	// logHorizon is how far back the operation logs reach (start_time "不早于180天前"), less a day of margin.
	logHorizon = 179 * 24 * time.Hour
)

// span is a closed interval of unix seconds.
type span struct{ start, end int64 }

// windows returns the pieces to read for one source. cur is the source's cursor, nil before the first poll,
// which then starts at now−interval rather than reading history; later polls start overlap before the cursor
// but never before where the first one started. maxSpan is the API's limit on end−start; horizon, if set, is
// how far back the API reaches.
func windows(cur *db.AlertCursor, now time.Time, interval, maxSpan, horizon time.Duration) []span {
	lag := min(max(interval, time.Second), maxLag)
	end := now.Add(-lag).Unix()
	var start int64
	if cur != nil {
		start = max(cur.ReadTo.Unix()+1-int64(overlap/time.Second), cur.Origin.Unix())
	} else {
		start = min(now.Add(-interval).Unix(), end-1)
	}
	if horizon > 0 {
		start = max(start, now.Add(-horizon).Unix())
	}
	limit := int64(maxSpan / time.Second)
	var out []span
	for start < end {
		e := min(start+limit, end)
		out = append(out, span{start, e})
		start = e + 1
	}
	return out
}

// poll reads every source some rule watches once. Errors are logged per source; the others go on.
func (s *Service) poll(ctx context.Context) {
	for _, src := range sources {
		rules := s.rulesFor(src)
		if len(rules) == 0 {
			continue
		}
		var err error
		if src == SourceDevices {
			err = s.pollDevices(ctx, rules)
		} else {
			err = s.pollLog(ctx, src, rules)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("alerts: cannot read a security source; will retry at the next poll",
				slog.String("source", src), slog.String("err", err.Error()))
		}
	}
}

func (s *Service) rulesFor(src string) []*rule {
	var out []*rule
	for _, r := range s.r().rules {
		if r.Source == src {
			out = append(out, r)
		}
	}
	return out
}

func (s *Service) pollLog(ctx context.Context, src string, rules []*rule) error {
	cur, err := s.d.DB.GetAlertCursor(ctx, src)
	if err != nil {
		return err
	}
	maxSpan, horizon := wecom.MaxOperLogSpan, logHorizon
	if src == SourceFiles {
		maxSpan, horizon = wecom.MaxFileRecordSpan, 0
	}
	now := s.now()
	ws := windows(cur, now, s.r().cfg.Interval.Duration, maxSpan, horizon)
	if cur != nil && len(ws) > 0 && ws[0].start > cur.ReadTo.Unix()+1 {
		s.log.Warn("alerts: the cursor is older than WeCom keeps records; the gap cannot be read",
			slog.String("source", src), slog.Time("read_to", cur.ReadTo), slog.Time("from", time.Unix(ws[0].start, 0)))
	}
	var origin time.Time
	if cur == nil && len(ws) > 0 {
		origin = time.Unix(ws[0].start, 0)
	}
	for _, w := range ws {
		recs, err := s.fetch(ctx, src, w)
		if err != nil {
			return fmt.Errorf("%s %s..%s: %w", src, time.Unix(w.start, 0).Format(time.RFC3339), time.Unix(w.end, 0).Format(time.RFC3339), err)
		}
		added, err := s.d.DB.RecordAlerts(ctx, &db.AlertBatch{Source: src, ReadTo: time.Unix(w.end, 0), Origin: origin,
			Alerts: match(rules, recs), RepeatWindow: s.r().cfg.Window.Duration})
		if err != nil {
			return err
		}
		if len(added) > 0 {
			s.log.Info("alerts: new alerts", slog.String("source", src), slog.Int("alerts", len(added)),
				slog.Int("records", len(recs)))
			s.kick()
		}
	}
	return nil
}

// fetch reads every record of one window.
func (s *Service) fetch(ctx context.Context, src string, w span) ([]*record, error) {
	sec := s.d.Client.Security
	k := newKeyer()
	var out []*record
	switch src {
	case SourceMemberLog:
		for l, err := range sec.AllMemberOperLogs(ctx, wecom.OperLogOptions{StartTime: w.start, EndTime: w.end, Limit: wecom.MaxOperLogLimit}) {
			if err != nil {
				return nil, err
			}
			out = append(out, memberRecord(k, l))
		}
	case SourceAdminLog:
		for l, err := range sec.AllAdminOperLogs(ctx, wecom.OperLogOptions{StartTime: w.start, EndTime: w.end, Limit: wecom.MaxOperLogLimit}) {
			if err != nil {
				return nil, err
			}
			out = append(out, adminRecord(k, l))
		}
	case SourceFiles:
		for r, err := range sec.AllFileOperRecords(ctx, wecom.FileOperRecordOptions{StartTime: w.start, EndTime: w.end, Limit: wecom.MaxFileRecordLimit}) {
			if err != nil {
				return nil, err
			}
			out = append(out, fileRecord(k, r))
		}
	}
	return out, nil
}

// pollDevices reads the device lists the rules need. Devices are a state: each device alerts once per status
// (its key is code and status), whenever the bot first sees it in that status.
func (s *Service) pollDevices(ctx context.Context, rules []*rule) error {
	now := s.now()
	var recs []*record
	for _, typ := range deviceTypes(rules) {
		for d, err := range s.d.Client.Security.AllDevices(ctx, typ) {
			if err != nil {
				return err
			}
			recs = append(recs, deviceRecord(d, now))
		}
	}
	added, err := s.d.DB.RecordAlerts(ctx, &db.AlertBatch{Source: SourceDevices, ReadTo: now, Alerts: match(rules, recs),
		RepeatWindow: s.r().cfg.Window.Duration})
	if err != nil {
		return err
	}
	if len(added) > 0 {
		s.log.Info("alerts: new device alerts", slog.Int("alerts", len(added)))
		s.kick()
	}
	return nil
}
