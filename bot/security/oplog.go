package security

// /oplog: WeCom's security logs. The member operation log (成员操作记录, DOC/100178) and the admin operation
// log (管理端操作日志, DOC/100179) answer at most 7 days per call and only the last 180 days; file operation
// records (文件防泄漏, DOC/98079) and screenshot records (截屏/录屏管理, DOC/100128) at most 14 days per call.
// A longer range is cut into windows, newest first, each window's cursor pages walked, and the records merged
// newest first, up to maxRecords.

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/commands"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

const (
	// maxRecords bounds what one /oplog reads (13 member-log pages, 5 file-record pages per window).
	maxRecords = 5000
	// defaultSince is the range when none is given.
	defaultSince = 7 * 24 * time.Hour
	// logHorizon is how far back the member and admin logs reach: start_time "不早于180天前".
	logHorizon = 180 * 24 * time.Hour
	// horizonMargin keeps a range that starts right at the horizon from crossing it while the windows are
	// walked (the clock moves on between the check and the oldest window's call).
	horizonMargin = 10 * time.Minute
	// maxRange bounds the records without a horizon (files are kept forever, screenshots: undocumented).
	maxRange = 400 * 24 * time.Hour
)

// oplogWindow is the range of one API call, [Start, End] in unix seconds. Adjacent windows share their boundary
// second, so that no second falls between two calls; Keep is the earliest time a window keeps, so that a
// record on a boundary is kept once, by the older window.
type oplogWindow struct {
	Start, End, Keep int64
}

func (w oplogWindow) has(t int64) bool { return t >= w.Keep && t <= w.End }

// oplogWindows cuts [from, to] into windows of at most span, newest first. An empty or inverted range has none.
func oplogWindows(from, to time.Time, span time.Duration) []oplogWindow {
	f, t, s := from.Unix(), to.Unix(), int64(span/time.Second)
	if t <= f || s <= 0 {
		return nil
	}
	var out []oplogWindow
	for end := t; end > f; {
		start := max(f, end-s)
		out = append(out, oplogWindow{Start: start, End: end, Keep: start + 1})
		end = start
	}
	out[len(out)-1].Keep = f
	return out
}

// oplogRange is the range an /oplog asks for, as given.
type oplogRange struct {
	Since    time.Duration
	HasSince bool
	From, To string // dates as typed, "" when not given
}

func rangeOf(inv *commands.Invocation) oplogRange {
	return oplogRange{Since: inv.FlagDuration("since"), HasSince: inv.Has("since"), From: inv.Flag("from"), To: inv.Flag("to")}
}

// resolve turns the flags into [from, to] in whole seconds: --since counts back from now; --from and --to are
// dates in loc, and a --to without a time of day means the end of that day; to is always earlier than now,
// since WeCom wants end_time "小于当前时间" (DOC/100178, 100179). With neither, the last def.
func (r oplogRange) resolve(now time.Time, loc *time.Location, def time.Duration) (from, to time.Time, err error) {
	now = now.Truncate(time.Second)
	switch {
	case r.HasSince && (r.From != "" || r.To != ""):
		return from, to, bot.Errorf(bot.EINVALID, "give either --since or --from/--to, not both")
	case r.To != "" && r.From == "":
		return from, to, bot.Errorf(bot.EINVALID, "--to needs --from (or use --since, like --since 3d)")
	case r.From != "":
		if from, err = commands.ParseDate(r.From, loc); err != nil {
			return from, to, bot.Errorf(bot.EINVALID, "--from: %s", bot.UserText(err))
		}
		to = now
		if r.To != "" {
			if to, err = commands.ParseDate(r.To, loc); err != nil {
				return from, to, bot.Errorf(bot.EINVALID, "--to: %s", bot.UserText(err))
			}
			if _, dateOnly := time.Parse(time.DateOnly, strings.TrimSpace(r.To)); dateOnly == nil {
				to = to.AddDate(0, 0, 1).Add(-time.Second)
			}
		}
	default:
		d := def
		if r.HasSince {
			if r.Since < time.Second {
				return from, to, bot.Errorf(bot.EINVALID, "--since must be longer than that, like 3d or 12h")
			}
			d = r.Since
		}
		from, to = now.Add(-d), now
	}
	if !to.Before(now) {
		to = now.Add(-time.Second)
	}
	if !from.Before(to) {
		if r.From != "" && !from.Before(now) {
			return from, to, bot.Errorf(bot.EINVALID, "--from %s is in the future", r.From)
		}
		return from, to, bot.Errorf(bot.EINVALID, "--from %s is not before --to %s", r.From, r.To)
	}
	return from, to, nil
}

// oplogBound checks a resolved range against what WeCom keeps, before any call: a start before the horizon is
// refused with the oldest time that can be asked for; one within the margin of it is moved just inside. With
// no horizon, the range may be at most maxRange long.
func oplogBound(from, to, now time.Time, horizon time.Duration, what string, loc *time.Location) (time.Time, error) {
	if horizon == 0 {
		if to.Sub(from) > maxRange {
			return from, bot.Errorf(bot.EINVALID, "that range is %d days long; ask for at most %d days of %s at once",
				int(to.Sub(from).Hours()/24), int(maxRange.Hours()/24), what)
		}
		return from, nil
	}
	oldest := now.Truncate(time.Second).Add(-horizon)
	if from.Before(oldest) {
		return from, bot.Errorf(bot.EINVALID, "WeCom keeps the %s for %d days: the oldest you can ask for is %s, and this range starts %s. Use a later --from, or --since %dd at most.",
			what, int(horizon.Hours()/24), oldest.In(loc).Format("2006-01-02 15:04"), from.In(loc).Format("2006-01-02 15:04"), int(horizon.Hours()/24))
	}
	if limit := oldest.Add(horizonMargin); from.Before(limit) {
		from = limit
	}
	return from, nil
}

// oplogCollect walks the windows, newest first, and each window's pages, keeping a record only in the window
// that owns its time, until maxRecords; more reports that it stopped early. The records come back newest
// first.
func oplogCollect[T any](ctx context.Context, windows []oplogWindow, walk func(w oplogWindow) iter.Seq2[T, error],
	at func(T) int64, limit int) (recs []T, more bool, err error) {
collect:
	for _, w := range windows {
		for r, err := range walk(w) {
			if err != nil {
				return nil, false, err
			}
			if !w.has(at(r)) {
				continue
			}
			if len(recs) >= limit {
				more = true
				break collect
			}
			recs = append(recs, r)
		}
	}
	slices.SortStableFunc(recs, func(a, b T) int { return cmp.Compare(at(b), at(a)) })
	return recs, more, nil
}

// oplogRow is one record as shown: its time, its kind in words (for the counts) and the rest of its line.
type oplogRow struct {
	At   int64
	Kind string
	Line string
}

// Words for --type, --op and --source, besides the numbers.
var (
	memberTypes = map[string]wecom.MemberOperType{
		"add-contact": wecom.MemberAddExternalContact, "delete-contact": wecom.MemberDeleteExternalContact,
		"mark-customer": wecom.MemberMarkCorpCustomer, "new-device-login": wecom.MemberNewDeviceLogin,
		"change-mobile": wecom.MemberChangeMobile, "bind-wechat": wecom.MemberBindWeChat,
		"rebind-wechat": wecom.MemberRebindWeChat, "invite": wecom.MemberInvite, "login-banned": wecom.MemberLoginBanned,
		"change-nickname": wecom.MemberChangeNickname, "change-name": wecom.MemberChangeName,
		"secondary-device-login": wecom.MemberSecondaryDeviceLogin, "confirm-vip-order": wecom.MemberConfirmVIPOrder,
		"app-change": wecom.MemberAppChange, "confirm-archive-order": wecom.MemberConfirmArchiveOrder,
		"interop-banned": wecom.MemberInteropBanned, "lock-device": wecom.MemberDeviceLocked,
	}
	adminTypes = map[string]wecom.AdminOperType{
		"permission-change": wecom.AdminPermissionChange, "member-change": wecom.AdminMemberDeptChange,
		"other": wecom.AdminOther, "app-change": wecom.AdminAppChange, "contacts-chat": wecom.AdminContactsChatManagement,
		"corp-info": wecom.AdminCorpInfoManagement, "external-contact": wecom.AdminExternalContactManage,
	}
	fileOps = map[string]wecom.FileOperType{
		"upload": wecom.FileUpload, "download": wecom.FileDownload, "forward": wecom.FileForwardToWeCom,
		"link-download": wecom.FileDownloadViaLink, "approve": wecom.FileApproveDownloadApply, "reject": wecom.FileRejectDownloadApply,
	}
	fileSources = map[string]wecom.FileSource{
		"chat": wecom.FileSourceChat, "mail": wecom.FileSourceMail, "doc": wecom.FileSourceDocs,
		"drive": wecom.FileSourceDrive, "schedule": wecom.FileSourceSchedule,
	}
	screenTypes = map[string]wecom.ScreenShotType{
		"chat": wecom.ScreenShotChat, "contacts": wecom.ScreenShotContacts, "mail": wecom.ScreenShotMail,
		"file": wecom.ScreenShotFile, "schedule": wecom.ScreenShotSchedule, "other": wecom.ScreenShotOther,
	}
)

// parseKind reads a --type/--op value: a word of words, the Chinese name WeCom gives it ("新设备登录"), or
// its number. anyNumber accepts numbers WeCom may have added since (for lists known from one source only).
func parseKind[T interface {
	~int
	fmt.Stringer
}](flag, v string, words map[string]T, anyNumber bool) (T, error) {
	v = strings.TrimSpace(v)
	if t, ok := words[strings.ToLower(v)]; ok {
		return t, nil
	}
	known := slices.Collect(func(yield func(T) bool) {
		for _, t := range words {
			if !yield(t) {
				return
			}
		}
	})
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		if anyNumber || slices.Contains(known, T(n)) {
			return T(n), nil
		}
	}
	for _, t := range known {
		if s := t.String(); v != "" && strings.Contains(s, "("+v+")") {
			return t, nil
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for w := range words {
			if !yield(w) {
				return
			}
		}
	})
	return 0, bot.Errorf(bot.EINVALID, "--%s %q is not one WeCom knows; use one of %s, or its number", flag, v, strings.Join(names, ", "))
}

// oplogFlags are the flags every /oplog command takes, after its own.
func oplogFlags(own ...commands.Flag) []commands.Flag {
	return append(own,
		commands.Flag{Name: "since", Kind: commands.Duration, Help: "this far back from now, like 3d, 12h or 2w (default 7d)"},
		commands.Flag{Name: "from", Kind: commands.Date, Help: "start date, like 2026-11-01 or \"2026-11-01 09:00\""},
		commands.Flag{Name: "to", Kind: commands.Date, Help: "end date, inclusive (default now)"},
		pageFlag,
	)
}

func oplogCommands(d Deps) []*commands.Command {
	user := commands.Flag{Name: "user", Check: commands.CheckUserID, Help: "only this member's records (userid)"}
	users := commands.Flag{Name: "user", List: true, Check: commands.CheckUserID, Help: "only these members' records: userids, comma-separated (up to 100)"}
	return []*commands.Command{
		{
			Path:    "oplog member",
			Aliases: []string{"日志 成员"},
			Flags: oplogFlags(user, commands.Flag{Name: "type",
				Help: "only one kind: add-contact, app-change, bind-wechat, change-mobile, change-name, change-nickname, confirm-archive-order, confirm-vip-order, delete-contact, interop-banned, invite, lock-device, login-banned, mark-customer, new-device-login, rebind-wechat, secondary-device-login, or its number"}),
			Summary: "Read the member operation log: logins on new devices, locked devices, contacts added…",
			Help:    "WeCom keeps 180 days and answers 7 days per call; a longer range is read in 7-day windows.",
			Examples: []string{"/oplog member", "/oplog member --user lisi --since 3d",
				"/oplog member --type new-device-login --since 30d", "/oplog member --from 2026-11-01 --to 2026-11-15", "/oplog member --since 30d --csv"},
			Perm:    "oplog.read",
			Audited: true,
			APIs:    []string{"POST security/member_oper_log/list"},
			Run:     d.oplogMember,
			CSV:     d.oplogMemberCSV,
		},
		{
			Path:    "oplog admin",
			Aliases: []string{"日志 管理员"},
			Flags: oplogFlags(commands.Flag{Name: "user", Check: commands.CheckUserID, Help: "only this admin's records (userid)"}, commands.Flag{Name: "type",
				Help: "only one kind: app-change, contacts-chat, corp-info, external-contact, member-change, other, permission-change, or its number"}),
			Summary:  "Read the admin console's operation log: permission, member and app changes…",
			Help:     "WeCom keeps 180 days and answers 7 days per call; a longer range is read in 7-day windows.",
			Examples: []string{"/oplog admin", "/oplog admin --type permission-change --since 30d", "/oplog admin --user zhangsan --since 3d", "/oplog admin --since 30d --csv"},
			Perm:     "oplog.read",
			Audited:  true,
			APIs:     []string{"POST security/admin_oper_log/list"},
			Run:      d.oplogAdmin,
			CSV:      d.oplogAdminCSV,
		},
		{
			Path:    "oplog files",
			Aliases: []string{"日志 文件"},
			Flags: oplogFlags(users,
				commands.Flag{Name: "op", Help: "only one operation: approve, download, forward, link-download, reject, upload, or its number"},
				commands.Flag{Name: "source", Values: slices.Sorted(oplogKeys(fileSources)), Help: "only where it happened"}),
			Summary:  "Read the file operation records (文件防泄漏): uploads, downloads, forwards…",
			Help:     "WeCom answers 14 days per call; a longer range is read in 14-day windows. Corps without 微盘专业版 can only query the last 90 days.",
			Examples: []string{"/oplog files", "/oplog files --op download --source drive --since 30d", "/oplog files --user lisi,wangwu --since 3d", "/oplog files --since 30d --csv"},
			Perm:     "oplog.read",
			Audited:  true,
			APIs:     []string{"POST security/get_file_oper_record"},
			Run:      d.oplogFiles,
			CSV:      d.oplogFilesCSV,
		},
		{
			Path:    "oplog screen",
			Aliases: []string{"日志 截屏"},
			Flags: oplogFlags(users,
				commands.Flag{Name: "dept", Help: "only members of these departments: ids, comma-separated (up to 100)"},
				commands.Flag{Name: "type", Help: "only screenshots of: chat, contacts, file, mail, other, schedule"}),
			Summary:  "Read the screenshot and screen recording records (截屏/录屏管理)",
			Help:     "WeCom answers 14 days per call; a longer range is read in 14-day windows.",
			Examples: []string{"/oplog screen", "/oplog screen --type file --since 30d", "/oplog screen --user lisi --since 3d", "/oplog screen --csv"},
			Perm:     "oplog.read",
			Audited:  true,
			APIs:     []string{"POST security/get_screen_oper_record"},
			Run:      d.oplogScreen,
			CSV:      d.oplogScreenCSV,
		},
	}
}

func oplogKeys[V any](m map[string]V) iter.Seq[string] {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func wordList[T any](m map[string]T) string {
	return strings.Join(slices.Sorted(oplogKeys(m)), ", ")
}

// plan resolves the range and cuts it into windows; what (an id) names the records in its errors.
func (d Deps) plan(inv *commands.Invocation, span, horizon time.Duration, what string) (from, to time.Time, windows []oplogWindow, err error) {
	now := d.now()
	from, to, err = rangeOf(inv).resolve(now, d.loc(), defaultSince)
	if err != nil {
		return
	}
	if from, err = oplogBound(from, to, now, horizon, inv.P.T(what), d.loc()); err != nil {
		return
	}
	return from, to, oplogWindows(from, to, span), nil
}

// logFilters reads --user and --type for the member and admin logs, which share a request shape.
func logFilters[T interface {
	~int
	fmt.Stringer
}](inv *commands.Invocation, who string, types map[string]T, anyType bool) (wecom.OperLogOptions, []string, error) {
	p := inv.P
	opts := wecom.OperLogOptions{Limit: wecom.MaxOperLogLimit}
	var filters []string
	if inv.Has("user") {
		opts.UserID = inv.Flag("user")
		if who == "admin" {
			filters = append(filters, p.Sprintf("admin %s", replies.Code(opts.UserID)))
		} else {
			filters = append(filters, p.Sprintf("member %s", replies.Code(opts.UserID)))
		}
	}
	if inv.Has("type") {
		t, err := parseKind("type", inv.Flag("type"), types, anyType)
		if err != nil {
			return opts, nil, err
		}
		opts.OperType = int(t)
		filters = append(filters, replies.Escape(Label(p, t)))
	}
	return opts, filters, nil
}

func (d Deps) oplogMember(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	return operLog(ctx, d, inv, "member", i18n.N("Member operation log"), memberTypes, false, d.Client.Security.AllMemberOperLogs, memberRow)
}

func memberRow(r wecom.MemberOperLog) operRow {
	return operRow{r.Time, r.UserID, r.OperType.String(), r.DetailInfo, r.IP, int(r.OperType)}
}

func adminRow(r wecom.AdminOperLog) operRow {
	return operRow{r.Time, r.UserID, r.OperType.String(), r.DetailInfo, r.IP, int(r.OperType)}
}

func (d Deps) oplogAdmin(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	return operLog(ctx, d, inv, "admin", i18n.N("Admin operation log"), adminTypes, true, d.Client.Security.AllAdminOperLogs, adminRow)
}

// operRow is what a member or admin log record shows.

type operRow struct {
	Time                     int64
	UserID, Kind, Detail, IP string
	Code                     int // the oper_type number
}

// operLog runs /oplog member and /oplog admin: the two logs share a request shape, windows and reply, and
// differ only in their record type and oper-type names.
func operLog[R any, T interface {
	~int
	fmt.Stringer
}](ctx context.Context, d Deps, inv *commands.Invocation, who, title string, types map[string]T, anyType bool,
	all func(ctx context.Context, o wecom.OperLogOptions) iter.Seq2[R, error], row func(R) operRow) (*replies.Reply, error) {
	q, err := operRecords(ctx, d, inv, who, types, anyType, all, row, maxRecords)
	if err != nil {
		return nil, err
	}
	rows := make([]oplogRow, len(q.recs))
	for i, o := range q.recs {
		rows[i] = oplogRow{At: o.Time, Kind: o.Kind,
			Line: join(d.who(o.UserID), replies.Escape(inv.P.T(o.Kind)), replies.Escape(wecom.TrimLabel(o.Kind, o.Detail)), iP(o.IP))}
	}
	return d.oplogReply(inv, title, q.noun, q.from, q.to, q.filters, rows, q.more), nil
}

// oplogQuery is what an /oplog read: the records, newest first, the range and filters as shown.
type oplogQuery[R any] struct {
	recs     []R
	more     bool
	from, to time.Time
	filters  []string
	noun     string // an id: "member operation records"
}

// operRecords reads a member or admin log for the flags given, at most limit records.
func operRecords[R any, T interface {
	~int
	fmt.Stringer
}](ctx context.Context, d Deps, inv *commands.Invocation, who string, types map[string]T, anyType bool,
	all func(ctx context.Context, o wecom.OperLogOptions) iter.Seq2[R, error], row func(R) operRow, limit int) (*oplogQuery[operRow], error) {
	opts, filters, err := logFilters(inv, who, types, anyType)
	if err != nil {
		return nil, err
	}
	what, noun := i18n.N("member operation log"), i18n.N("member operation records")
	if who == "admin" {
		what, noun = i18n.N("admin operation log"), i18n.N("admin operation records")
	}
	from, to, windows, err := d.plan(inv, wecom.MaxOperLogSpan, logHorizon, what)
	if err != nil {
		return nil, err
	}
	recs, more, err := oplogCollect(ctx, windows, func(w oplogWindow) iter.Seq2[R, error] {
		o := opts
		o.StartTime, o.EndTime = w.Start, w.End
		return all(ctx, o)
	}, func(r R) int64 { return row(r).Time }, limit)
	if err != nil {
		return nil, wecomErr(err, opts.UserID)
	}
	out := make([]operRow, len(recs))
	for i, r := range recs {
		out[i] = row(r)
	}
	return &oplogQuery[operRow]{recs: out, more: more, from: from, to: to, filters: filters, noun: noun}, nil
}

func (d Deps) oplogFiles(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	q, err := d.fileRecords(ctx, inv, maxRecords)
	if err != nil {
		return nil, err
	}
	recs := q.recs
	rows := make([]oplogRow, len(recs))
	for i, r := range recs {
		what := replies.Escape(Label(p, r.Operation.Type))
		if r.Operation.Source != 0 {
			what = p.Sprintf("%s in %s", what, replies.Escape(Label(p, r.Operation.Source)))
		}
		var extra []string
		if r.FileSize > 0 {
			extra = append(extra, oplogSize(r.FileSize))
		}
		if r.ApplicantName != "" {
			extra = append(extra, p.Sprintf("applicant %s", replies.Escape(r.ApplicantName)))
		}
		if r.DeviceCode != "" {
			extra = append(extra, p.Sprintf("device %s", replies.Code(r.DeviceCode)))
		}
		rows[i] = oplogRow{At: r.Time, Kind: r.Operation.Type.String(),
			Line: join(append([]string{fileActor(p, r), what, replies.Escape(r.FileInfo)}, extra...)...)}
	}
	return d.oplogReply(inv, i18n.N("File operation records"), q.noun, q.from, q.to, q.filters, rows, q.more), nil
}

// fileRecords reads the file operation records for the flags given, at most limit.
func (d Deps) fileRecords(ctx context.Context, inv *commands.Invocation, limit int) (*oplogQuery[wecom.FileOperRecord], error) {
	p := inv.P
	opts := wecom.FileOperRecordOptions{Limit: wecom.MaxFileRecordLimit}
	var filters []string
	if inv.Has("user") {
		us := inv.FlagList("user")
		opts.UserIDs = us
		filters = append(filters, p.Sprintf("members %s", codeList(us)))
	}
	var op wecom.FileOperation
	if inv.Has("op") {
		t, err := parseKind("op", inv.Flag("op"), fileOps, true)
		if err != nil {
			return nil, err
		}
		op.Type = t
		filters = append(filters, replies.Escape(Label(p, t)))
	}
	if inv.Has("source") {
		op.Source = fileSources[inv.Flag("source")]
		filters = append(filters, p.Sprintf("in %s", replies.Escape(Label(p, op.Source))))
	}
	if op != (wecom.FileOperation{}) {
		opts.Operation = &op
	}
	from, to, windows, err := d.plan(inv, wecom.MaxFileRecordSpan, 0, i18n.N("file operation records"))
	if err != nil {
		return nil, err
	}
	recs, more, err := oplogCollect(ctx, windows, func(w oplogWindow) iter.Seq2[wecom.FileOperRecord, error] {
		o := opts
		o.StartTime, o.EndTime = w.Start, w.End
		return d.Client.Security.AllFileOperRecords(ctx, o)
	}, func(r wecom.FileOperRecord) int64 { return r.Time }, limit)
	if err != nil {
		return nil, wecomErr(err, opts.UserIDs...)
	}
	return &oplogQuery[wecom.FileOperRecord]{recs: recs, more: more, from: from, to: to, filters: filters, noun: "file operation records"}, nil
}
func (d Deps) oplogScreen(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	q, err := d.screenRecords(ctx, inv, maxRecords)
	if err != nil {
		return nil, err
	}
	recs := q.recs
	rows := make([]oplogRow, len(recs))
	for i, r := range recs {
		rows[i] = oplogRow{At: r.Time, Kind: r.ScreenShotType.String(),
			Line: join(replies.Code(r.UserID), p.Sprintf("screenshot of %s", replies.Escape(Label(p, r.ScreenShotType))),
				replies.Escape(r.ScreenShotContent), replies.Escape(r.System))}
	}
	return d.oplogReply(inv, i18n.N("Screenshot records"), q.noun, q.from, q.to, q.filters, rows, q.more), nil
}

// screenRecords reads the screenshot records for the flags given, at most limit.
func (d Deps) screenRecords(ctx context.Context, inv *commands.Invocation, limit int) (*oplogQuery[wecom.ScreenOperRecord], error) {
	p := inv.P
	opts := wecom.ScreenOperRecordOptions{Limit: wecom.MaxScreenRecordLimit}
	var filters []string
	if inv.Has("user") {
		us := inv.FlagList("user")
		opts.UserIDs = us
		filters = append(filters, p.Sprintf("members %s", codeList(us)))
	}
	if inv.Has("dept") {
		ids, err := deptList(inv.Flag("dept"))
		if err != nil {
			return nil, err
		}
		opts.DepartmentIDs = ids
		ds := make([]string, len(ids))
		for i, id := range ids {
			ds[i] = strconv.Itoa(id)
		}
		filters = append(filters, p.Sprintf("departments %s", strings.Join(ds, ", ")))
	}
	if inv.Has("type") {
		t, err := parseKind("type", inv.Flag("type"), screenTypes, false)
		if err != nil {
			return nil, err
		}
		opts.ScreenShotType = t
		filters = append(filters, p.Sprintf("of %s", replies.Escape(Label(p, t))))
	}
	from, to, windows, err := d.plan(inv, wecom.MaxScreenRecordSpan, 0, i18n.N("screenshot records"))
	if err != nil {
		return nil, err
	}
	recs, more, err := oplogCollect(ctx, windows, func(w oplogWindow) iter.Seq2[wecom.ScreenOperRecord, error] {
		o := opts
		o.StartTime, o.EndTime = w.Start, w.End
		return d.Client.Security.AllScreenOperRecords(ctx, o)
	}, func(r wecom.ScreenOperRecord) int64 { return r.Time }, limit)
	if err != nil {
		return nil, wecomErr(err, opts.UserIDs...)
	}
	return &oplogQuery[wecom.ScreenOperRecord]{recs: recs, more: more, from: from, to: to, filters: filters, noun: "screenshot records"}, nil
}

// oplogReply summarises records: the range and filters, counts by kind, then a page of rows, newest first.
// title and noun are ids; a row's Kind is an enum's English name, translated here.
func (d Deps) oplogReply(inv *commands.Invocation, title, noun string, from, to time.Time, filters []string, rows []oplogRow, more bool) *replies.Reply {
	p := inv.P
	loc := d.loc()
	span := fmt.Sprintf("%s → %s", replies.When(from.Unix(), loc), replies.When(to.Unix(), loc))
	scope := span
	if len(filters) > 0 {
		scope += " · " + strings.Join(filters, " · ")
	}
	if len(rows) == 0 {
		return replies.Say(p, "No %s from %s.", p.T(noun), bot.Markdown(scope))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", p.T(title), scope)
	if more {
		fmt.Fprintf(&b, "%s\n\n", replies.Font(replies.Warning, p.Sprintf("More than %s records in this range: reading stopped there, so the counts and rows below are partial. Narrow with --user, --type or a shorter range.", oplogThousands(maxRecords))))
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Kind]++
	}
	kinds := slices.SortedFunc(oplogKeys(counts), func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	if len(rows) == 1 {
		b.WriteString(p.Sprintf("**%s** record:", oplogThousands(len(rows))) + "\n")
	} else {
		b.WriteString(p.Sprintf("**%s** records:", oplogThousands(len(rows))) + "\n")
	}
	for _, k := range kinds {
		fmt.Fprintf(&b, "- %d %s\n", counts[k], replies.Escape(p.T(k)))
	}
	page, footer := pageFor(rows, inv)
	if len(page) > 0 {
		if inv.FlagInt("page") > 1 {
			b.WriteString("\n" + p.Sprintf("**Page %d, newest first:**", inv.FlagInt("page")) + "\n")
		} else {
			b.WriteString("\n" + p.T("**Latest:**") + "\n")
		}
		for _, r := range page {
			fmt.Fprintf(&b, "- %s · %s\n", replies.When(r.At, loc), r.Line)
		}
	}
	if footer != "" {
		b.WriteString("\n" + footer)
	}
	return &replies.Reply{Markdown: strings.TrimRight(b.String(), "\n")}
}

// join joins the non-empty parts of a row.
func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}

func iP(ip string) string {
	if ip == "" {
		return ""
	}
	return "IP " + replies.Escape(ip)
}

// fileActor is who acted on a file: a member, or an outsider (WeChat user, or a member of another corp).
func fileActor(p *i18n.Printer, r wecom.FileOperRecord) string {
	switch {
	case r.UserID != "":
		return replies.Code(r.UserID)
	case r.ExternalUser != nil && r.ExternalUser.CorpName != "":
		return replies.Escape(r.ExternalUser.Name) + " (" + replies.Escape(r.ExternalUser.CorpName) + ")"
	case r.ExternalUser != nil:
		return p.Sprintf("%s (WeChat)", replies.Escape(r.ExternalUser.Name))
	}
	return p.T("someone")
}

func oplogSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// oplogThousands writes n with thousands separators: 5,000.
func oplogThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// deptList reads --dept: department ids, comma-separated, at most 100.
func deptList(v string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, bot.Errorf(bot.EINVALID, "--dept: %q is not a department id (a positive number)", s)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	switch {
	case len(out) == 0:
		return nil, bot.Errorf(bot.EINVALID, "--dept needs department ids, like 2 or 2,3")
	case len(out) > wecom.MaxRecordFilterIDs:
		return nil, bot.Errorf(bot.EINVALID, "--dept: at most %d departments at once, got %d", wecom.MaxRecordFilterIDs, len(out))
	}
	return out, nil
}
