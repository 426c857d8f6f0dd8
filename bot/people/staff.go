package people

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// The HR roster (人事助手 - 花名册, hr/*, DOC/99131-99133). Members name fields as the admin console does (入职日期);
// the commands turn names into fieldids through hr/get_fields, which is cached for a while.

// hrFieldTTL is how long the roster's field list is reused before hr/get_fields is called again.
const hrFieldTTL = 10 * time.Minute

// maxStaffText bounds a text value written to the roster. WeCom documents no limit; a chat message is
// rarely longer, and a runaway value should not reach WeCom.
const maxStaffText = 1000

// staffDefaultFields are shown by /staff without field names, when the corp's roster has them.
var staffDefaultFields = []string{"姓名", "工号", "职位", "员工状态", "入职日期", "性别", "手机", "个人邮箱"}

// staffSummaryFields are the few fields /whois shows for a member.
var staffSummaryFields = []string{"工号", "职位", "员工状态", "入职日期"}

// staffReadOnly are the fields update_staff_info refuses (DOC/99133: "不支持更新字段"), by id and by the name the
// default roster gives them, so that a request naming one is refused before any call.
var staffReadOnly = map[string]int{
	"年龄": wecom.HRFieldAge, "社会工龄": wecom.HRFieldSocialTenure, "员工状态": wecom.HRFieldStaffStatus,
	strconv.Itoa(wecom.HRFieldAge): wecom.HRFieldAge, strconv.Itoa(wecom.HRFieldSocialTenure): wecom.HRFieldSocialTenure,
	strconv.Itoa(wecom.HRFieldStaffStatus): wecom.HRFieldStaffStatus,
}

func staffIsReadOnly(fieldID int) bool {
	return fieldID == wecom.HRFieldAge || fieldID == wecom.HRFieldSocialTenure || fieldID == wecom.HRFieldStaffStatus
}

// hrField is a roster field with the group it belongs to.
type hrField struct {
	wecom.HRField
	Group string
}

// valueType is the field's value_type, worked out from its field_type when get_fields leaves it out
// (docs/wecom-notes.md: text ↔ string, option ↔ uint32, time ↔ uint64, files ↔ file).
func (f *hrField) valueType() wecom.HRValueType {
	if f.ValueType != 0 {
		return f.ValueType
	}
	switch f.FieldType {
	case wecom.HRFieldOption:
		return wecom.HRValueUint32
	case wecom.HRFieldTime:
		return wecom.HRValueUint64
	case wecom.HRFieldImage, wecom.HRFieldFile, wecom.HRFieldFiles:
		return wecom.HRValueFile
	}
	return wecom.HRValueString
}

func (f *hrField) holdsFiles() bool {
	switch f.FieldType {
	case wecom.HRFieldImage, wecom.HRFieldFile, wecom.HRFieldFiles:
		return true
	}
	return f.valueType() == wecom.HRValueFile
}

// hrFields is the roster's field list, in get_fields order.
type hrFields struct {
	list []*hrField
	byID map[int]*hrField
}

func newHRFields(groups []wecom.HRFieldGroup) *hrFields {
	fs := &hrFields{byID: map[int]*hrField{}}
	for _, g := range groups {
		for _, f := range g.FieldList {
			hf := &hrField{HRField: f, Group: g.GroupName}
			fs.list = append(fs.list, hf)
			if _, dup := fs.byID[f.FieldID]; !dup {
				fs.byID[f.FieldID] = hf
			}
		}
	}
	return fs
}

// resolve finds a field by name ("入职日期"; the first of that name when groups repeat one), by group and name
// ("紧急联系人.姓名") or by fieldid ("12018").
func (fs *hrFields) resolve(name string) (*hrField, error) {
	name = strings.TrimSpace(name)
	if id, err := strconv.Atoi(name); err == nil {
		if f := fs.byID[id]; f != nil {
			return f, nil
		}
		return nil, bot.Errorf(bot.EINVALID, "The roster has no field with id %d. /staff fields lists them.", id)
	}
	for _, f := range fs.list {
		if strings.EqualFold(f.FieldName, name) {
			return f, nil
		}
	}
	group, field, qualified := strings.Cut(strings.ReplaceAll(name, "/", "."), ".")
	for _, f := range fs.list {
		if qualified && strings.EqualFold(f.Group, group) && strings.EqualFold(f.FieldName, field) {
			return f, nil
		}
	}
	var names []string
	for _, f := range fs.list {
		if qualified {
			names = append(names, f.Group+"."+f.FieldName)
		} else {
			names = append(names, f.FieldName)
		}
	}
	if s := commands.Suggest(strings.ToLower(name), lowerAll(names)); s != "" {
		for _, n := range names {
			if strings.ToLower(n) == s {
				s = n
				break
			}
		}
		return nil, bot.Errorf(bot.EINVALID, "The roster has no field %s — did you mean %s? /staff fields lists them.",
			bot.Markdown(replies.Code(name)), s)
	}
	return nil, bot.Errorf(bot.EINVALID, "The roster has no field %s /staff fields lists them.", bot.Markdown(replies.Code(name)))
}

// named returns the fields with these names that the roster has, skipping the others.
func (fs *hrFields) named(names []string) []*hrField {
	var out []*hrField
	for _, n := range names {
		if f, err := fs.resolve(n); err == nil && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// hrFieldCache keeps the roster's field list for hrFieldTTL.
type hrFieldCache struct {
	d      Deps
	mu     sync.Mutex
	at     time.Time
	fields *hrFields
}

func newHRFieldCache(d Deps) *hrFieldCache { return &hrFieldCache{d: d} }

func (c *hrFieldCache) get(ctx context.Context) (*hrFields, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.d.now()
	if c.fields != nil && now.Sub(c.at) < hrFieldTTL && !now.Before(c.at) {
		return c.fields, nil
	}
	groups, err := c.d.Client.HR.GetFields(ctx)
	if err != nil {
		return nil, err
	}
	c.fields, c.at = newHRFields(groups), now
	return c.fields, nil
}

func (k *desk) staffCommands() []*commands.Command {
	d := k.Deps
	user := commands.Arg{Name: "userid", Check: checkUserOrName, Help: "a member's userid, or their name (李四)",
		Prompt: "Whose roster? (a userid or a name)"}
	return []*commands.Command{
		{
			Path:     "staff fields",
			Aliases:  []string{"花名册 字段"},
			Summary:  "List the roster's (花名册) fields: names, ids, types, options",
			Examples: []string{"/staff fields"},
			Perm:     "staff.read",
			Audited:  true,
			APIs:     []string{"GET hr/get_fields"},
			Run:      k.staffFields,
		},
		{
			Path:    "staff",
			Aliases: []string{"花名册"},
			Args: []commands.Arg{user, {Name: "field", Optional: true, Many: true,
				Help: "fields to show: a name (入职日期), group.name (紧急联系人.姓名) or a fieldid; default a summary"}},
			Flags:    []commands.Flag{{Name: "all", Kind: commands.Bool, Help: "show every field, and every entry of repeatable groups"}},
			Summary:  "Show a member's roster (花名册) entry",
			Examples: []string{"/staff lisi", "/staff lisi 入职日期 工位", "/staff lisi --all"},
			Perm:     "staff.read",
			Audited:  true,
			APIs:     []string{"GET hr/get_fields", "POST hr/get_staff_info"},
			Run:      k.staffShow,
		},
		commands.Steps[rosterPlan]{
			Plan: func(ctx context.Context, inv *commands.Invocation) (rosterPlan, error) {
				user, changes, err := k.staffPlan(ctx, inv)
				return rosterPlan{user: user, changes: changes}, err
			},
			Preview: staffPreview, Run: d.staffSet, Reconcile: staffReconcile,
		}.Mutating(&commands.Command{
			Path:    "staff set",
			Aliases: []string{"花名册 修改"},
			Args: []commands.Arg{user, {Name: "change", Many: true, Check: staffCheckChange,
				Help:   "FIELD=VALUE, as many as needed: 工位=A-3-12, 职位=经理 (an option's text or id), 入职日期=2024-03-01",
				Prompt: "What should change? (FIELD=VALUE, e.g. 工位=A-3-12)"}},
			Summary:  "Change fields of a member's roster (花名册) entry",
			Help:     "Values are checked against each field's type first: options take one of their texts (or ids), dates are written 2024-03-01, mobiles 13800000001 or +86-13800000001. 年龄, 社会工龄 and 员工状态 are read-only, and file fields cannot be set from chat. Fields of repeatable groups change their first entry.",
			Examples: []string{"/staff set lisi 工位=A-3-12", "/staff set lisi 职位=经理 入职日期=2024-03-01"},
			Perm:     "staff.write",
			APIs:     []string{"GET hr/get_fields", "POST hr/get_staff_info", "POST hr/update_staff_info"},
		}),
	}
}

func (k *desk) staffFields(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	fc := k.fields
	fs, err := fc.get(ctx)
	if err != nil {
		return nil, err
	}
	if len(fs.list) == 0 {
		return replies.Say(p, "The roster (花名册) has no fields."), nil
	}
	b := replies.NewBuilder(p)
	b.Heading("Roster fields (花名册): %d", len(fs.list))
	group := "\x00"
	for _, f := range fs.list {
		if f.Group != group {
			group = f.Group
			b.Para("### %s", replies.Escape(group))
		}
		line := p.Sprintf("%s %s — %s", replies.Escape(f.FieldName), replies.Code(strconv.Itoa(f.FieldID)),
			replies.Escape(enumText(p, f.FieldType.String())))
		if len(f.OptionList) > 0 {
			var opts []string
			for i, o := range f.OptionList {
				if i == 10 {
					opts = append(opts, p.Sprintf("and %d more", len(f.OptionList)-10))
					break
				}
				opts = append(opts, replies.Escape(o.Value))
			}
			line += p.Colon() + strings.Join(opts, listSep(p))
		}
		if f.IsMust {
			line += p.T(", required")
		}
		if staffIsReadOnly(f.FieldID) {
			line += " " + replies.Font(replies.Comment, p.T("(read-only)"))
		}
		b.Item("%s", line)
	}
	b.Para("Read-only fields cannot be changed with /staff set. Name a field of another group as group.name, e.g. 紧急联系人.姓名, or by its id.")
	return b.Reply(), nil
}

func (k *desk) staffShow(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	d, fc, p := k.Deps, k.fields, inv.P
	user, err := k.member(ctx, inv.Arg("userid"))
	if err != nil {
		return nil, err
	}
	names, all := inv.List("field"), inv.FlagBool("all")
	if all && len(names) > 0 {
		return nil, bot.Errorf(bot.EINVALID, "name fields or give --all, not both. Usage: %s", inv.Command.Usage())
	}
	fs, err := fc.get(ctx)
	if err != nil {
		return nil, err
	}
	req := &wecom.GetStaffInfoRequest{UserID: user, GetAll: all}
	var wanted []*hrField
	if !all {
		if len(names) == 0 {
			wanted = fs.named(staffDefaultFields)
			if len(wanted) == 0 {
				wanted = fs.list[:min(len(fs.list), len(staffDefaultFields))]
			}
		}
		for _, n := range names {
			f, err := fs.resolve(n)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(wanted, f) {
				wanted = append(wanted, f)
			}
		}
		if len(wanted) == 0 {
			return replies.Say(p, "The roster (花名册) has no fields to show."), nil
		}
		for _, f := range wanted {
			req.FieldIDs = append(req.FieldIDs, wecom.HRFieldRef{FieldID: f.FieldID})
		}
	}
	values, err := d.Client.HR.GetStaffInfo(ctx, req)
	if err != nil {
		return nil, err
	}
	b := replies.NewBuilder(p)
	b.Heading("Roster of %s", replies.Code(user))
	if !all {
		byID := staffValues(values)
		for _, f := range wanted {
			b.Item("%s: %s", replies.Escape(f.FieldName), staffShowValue(p, f, byID[f.FieldID], d.loc()))
		}
		if len(names) == 0 {
			b.Para("More: %s, or name fields (/staff fields lists them).", replies.Code("/staff "+user+" --all"))
		}
		return b.Reply(), nil
	}
	// Every field, grouped; entries of a repeatable group are numbered.
	type section struct {
		group string
		idx   int
	}
	var order []section
	lines := map[section][]string{}
	entries := map[string]int{}
	for _, v := range values {
		f := fs.byID[v.FieldID]
		name, group := strconv.Itoa(v.FieldID), p.T("other fields")
		if f != nil {
			name, group = f.FieldName, f.Group
		}
		s := section{group, v.SubIdx}
		if _, seen := lines[s]; !seen {
			order = append(order, s)
			entries[group]++
		}
		lines[s] = append(lines[s], p.Sprintf("%s: %s", replies.Escape(name), staffShowValue(p, f, &v, d.loc())))
	}
	if len(order) == 0 {
		b.Para("WeCom returned no fields.")
	}
	for _, s := range order {
		title := replies.Escape(s.group)
		if entries[s.group] > 1 {
			title += fmt.Sprintf(" #%d", s.idx+1)
		}
		b.Para("### %s", title)
		for _, l := range lines[s] {
			b.Item("%s", l)
		}
	}
	return b.Reply(), nil
}

// staffValues indexes values of plain fields (and first entries of repeatable groups) by fieldid.
func staffValues(values []wecom.StaffField) map[int]*wecom.StaffField {
	out := map[int]*wecom.StaffField{}
	for i := range values {
		if v := &values[i]; v.SubIdx == 0 {
			if _, dup := out[v.FieldID]; !dup {
				out[v.FieldID] = v
			}
		}
	}
	return out
}

// staffShowValue writes a roster value for reading: options as their text, times as dates, mobiles with their
// country code, files as a count. f may be nil (a field get_fields did not list); v nil means no answer.
func staffShowValue(p *i18n.Printer, f *hrField, v *wecom.StaffField, loc *time.Location) string {
	if v == nil {
		return replies.Font(replies.Comment, p.T("no answer from WeCom"))
	}
	if v.Result != 0 && v.Result != wecom.HROK {
		return replies.Font(replies.Comment, replies.Escape(enumText(p, v.Result.String())))
	}
	isTime := f != nil && f.FieldType == wecom.HRFieldTime
	date := func(sec int64) string {
		if sec == 0 {
			return "—"
		}
		return time.Unix(sec, 0).In(loc).Format("2006-01-02")
	}
	vt := v.ValueType
	if vt == 0 && f != nil {
		vt = f.valueType()
	}
	switch vt {
	case wecom.HRValueString:
		if v.ValueString == "" {
			return "—"
		}
		return replies.Escape(v.ValueString)
	case wecom.HRValueUint64:
		if isTime {
			return date(int64(v.ValueUint64))
		}
		return strconv.FormatUint(v.ValueUint64, 10)
	case wecom.HRValueInt64:
		if isTime {
			return date(v.ValueInt64)
		}
		return strconv.FormatInt(v.ValueInt64, 10)
	case wecom.HRValueUint32:
		if f != nil {
			for _, o := range f.OptionList {
				if uint32(o.ID) == v.ValueUint32 {
					return replies.Escape(o.Value)
				}
			}
		}
		if v.ValueUint32 == 0 {
			return "—"
		}
		return p.Sprintf("option %d", v.ValueUint32)
	case wecom.HRValueMobile:
		if v.ValueMobile == nil || v.ValueMobile.Mobile == "" {
			return "—"
		}
		if v.ValueMobile.CountryCode == "" {
			return replies.Escape(v.ValueMobile.Mobile)
		}
		return replies.Escape("+" + strings.TrimPrefix(v.ValueMobile.CountryCode, "+") + " " + v.ValueMobile.Mobile)
	case wecom.HRValueFile:
		if v.ValueFile == nil || len(v.ValueFile.MediaIDs) == 0 {
			return "—"
		}
		return p.Plural(len(v.ValueFile.MediaIDs), "file", "files")
	}
	return replies.Font(replies.Comment, p.T("a value of an unknown type"))
}

// staffSummary is /whois's one-line roster summary of a member.
func (k *desk) staffSummary(ctx context.Context, p *i18n.Printer, user string) (string, error) {
	fs, err := k.fields.get(ctx)
	if err != nil {
		return "", err
	}
	fields := fs.named(staffSummaryFields)
	if len(fields) == 0 {
		return "", nil
	}
	req := &wecom.GetStaffInfoRequest{UserID: user}
	for _, f := range fields {
		req.FieldIDs = append(req.FieldIDs, wecom.HRFieldRef{FieldID: f.FieldID})
	}
	values, err := k.Client.HR.GetStaffInfo(ctx, req)
	if err != nil {
		return "", err
	}
	byID := staffValues(values)
	var parts []string
	for _, f := range fields {
		parts = append(parts, replies.Escape(f.FieldName)+" "+staffShowValue(p, f, byID[f.FieldID], k.loc()))
	}
	return strings.Join(parts, " · "), nil
}

// staffSplitChange reads FIELD=VALUE (a full-width ＝ too).
func staffSplitChange(s string) (field, value string, err error) {
	k, v, ok := strings.Cut(strings.Replace(s, "＝", "=", 1), "=")
	k, v = strings.TrimSpace(k), strings.TrimSpace(v)
	switch {
	case !ok:
		return "", "", bot.Errorf(bot.EINVALID, "%s is not FIELD=VALUE; write it like 工位=A-3-12 (quote a value with spaces: \"工位=A 3 12\")", bot.Markdown(replies.Code(s)))
	case k == "":
		return "", "", bot.Errorf(bot.EINVALID, "%s names no field; write it like 工位=A-3-12", bot.Markdown(replies.Code(s)))
	case v == "":
		return "", "", bot.Errorf(bot.EINVALID, "%s has no value; roster values cannot be cleared from chat", bot.Markdown(replies.Code(s)))
	}
	return k, v, nil
}

// staffCheckChange validates one FIELD=VALUE at parse time: its shape, and that it does not name a field
// WeCom never lets apps write.
func staffCheckChange(s string) error {
	k, _, err := staffSplitChange(s)
	if err != nil {
		return err
	}
	if _, ro := staffReadOnly[k]; ro {
		return bot.Errorf(bot.EINVALID, "%s is read-only: WeCom does not let apps change 年龄, 社会工龄 or 员工状态", k)
	}
	return nil
}

// staffChange is one planned roster change.
type staffChange struct {
	Field *hrField
	Value wecom.StaffFieldValue
	Old   string // as shown, read just before
	New   string // as shown
}

// staffPlan resolves and checks a /staff set request, then reads the current values: nothing is written.
func (k *desk) staffPlan(ctx context.Context, inv *commands.Invocation) (string, []staffChange, error) {
	p := inv.P
	user, err := k.member(ctx, inv.Arg("userid"))
	if err != nil {
		return "", nil, err
	}
	fs, err := k.fields.get(ctx)
	if err != nil {
		return "", nil, err
	}
	var changes []staffChange
	for _, raw := range inv.List("change") {
		name, v, err := staffSplitChange(raw)
		if err != nil {
			return "", nil, err
		}
		f, err := fs.resolve(name)
		if err != nil {
			return "", nil, err
		}
		if staffIsReadOnly(f.FieldID) {
			return "", nil, bot.Errorf(bot.EINVALID, "%s is read-only: WeCom does not let apps change 年龄, 社会工龄 or 员工状态",
				f.FieldName)
		}
		for _, c := range changes {
			if c.Field == f {
				return "", nil, bot.Errorf(bot.EINVALID, "%s is given twice", f.FieldName)
			}
		}
		val, err := staffValue(f, v, k.loc())
		if err != nil {
			return "", nil, err
		}
		changes = append(changes, staffChange{Field: f, Value: val, New: staffShowValue(p, f, staffAsRead(val), k.loc())})
	}
	req := &wecom.GetStaffInfoRequest{UserID: user}
	for _, c := range changes {
		req.FieldIDs = append(req.FieldIDs, wecom.HRFieldRef{FieldID: c.Field.FieldID})
	}
	values, err := k.Client.HR.GetStaffInfo(ctx, req)
	if err != nil {
		return "", nil, err
	}
	byID := staffValues(values)
	for i := range changes {
		changes[i].Old = staffShowValue(p, changes[i].Field, byID[changes[i].Field.FieldID], k.loc())
	}
	return user, changes, nil
}

var staffMobile = regexp.MustCompile(`^(?:\+?(\d{1,4})[ -])?(\d{5,20})$`)

// staffValue converts what a member typed into the value a field takes.
func staffValue(f *hrField, raw string, loc *time.Location) (wecom.StaffFieldValue, error) {
	v := wecom.StaffFieldValue{FieldID: f.FieldID, ValueType: f.valueType()}
	if f.holdsFiles() {
		return v, bot.Errorf(bot.EINVALID, "%s: it holds files, which cannot be set from chat", f.FieldName)
	}
	switch {
	case f.FieldType == wecom.HRFieldOption || len(f.OptionList) > 0:
		var names []string
		for _, o := range f.OptionList {
			if strings.EqualFold(o.Value, raw) || strconv.Itoa(o.ID) == raw {
				v.ValueType, v.Uint32 = wecom.HRValueUint32, uint32(o.ID)
				return v, nil
			}
			names = append(names, o.Value)
		}
		if len(names) == 0 {
			return v, bot.Errorf(bot.EINVALID, "%s: it is an option field without options", f.FieldName)
		}
		return v, bot.Errorf(bot.EINVALID, "%s: %s is not one of its options: %s", f.FieldName, bot.Markdown(replies.Code(raw)), strings.Join(names, ", "))
	case f.FieldType == wecom.HRFieldTime:
		t, err := commands.ParseDate(raw, loc)
		if err != nil {
			return v, bot.Errorf(bot.EINVALID, "%s: it is a date; write it like 2024-03-01", f.FieldName)
		}
		if v.ValueType == wecom.HRValueInt64 {
			v.Int64 = t.Unix()
			return v, nil
		}
		if t.Unix() < 0 {
			return v, bot.Errorf(bot.EINVALID, "%s: it takes dates from 1970 on", f.FieldName)
		}
		v.ValueType, v.Uint64 = wecom.HRValueUint64, uint64(t.Unix())
		return v, nil
	}
	switch v.ValueType {
	case wecom.HRValueMobile:
		m := staffMobile.FindStringSubmatch(raw)
		if m == nil {
			return v, bot.Errorf(bot.EINVALID, "%s: %s is not a mobile number; write it like 13800000001 or +86-13800000001", f.FieldName, bot.Markdown(replies.Code(raw)))
		}
		cc := m[1]
		if cc == "" {
			cc = "86"
		}
		v.Mobile = wecom.HRMobile{CountryCode: cc, Mobile: m[2]}
	case wecom.HRValueUint64, wecom.HRValueUint32:
		bits := 32
		if v.ValueType == wecom.HRValueUint64 {
			bits = 64
		}
		n, err := strconv.ParseUint(raw, 10, bits)
		if err != nil {
			return v, bot.Errorf(bot.EINVALID, "%s: %s is not a whole number ≥ 0", f.FieldName, bot.Markdown(replies.Code(raw)))
		}
		v.Uint64, v.Uint32 = n, uint32(n)
	case wecom.HRValueInt64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return v, bot.Errorf(bot.EINVALID, "%s: %s is not a whole number", f.FieldName, bot.Markdown(replies.Code(raw)))
		}
		v.Int64 = n
	default:
		if utf8.RuneCountInString(raw) > maxStaffText {
			return v, bot.Errorf(bot.EINVALID, "%s: at most %d characters", f.FieldName, maxStaffText)
		}
		v.ValueType, v.String = wecom.HRValueString, raw
	}
	return v, nil
}

// staffAsRead turns a value to write into the shape get_staff_info answers, to show it the same way.
func staffAsRead(v wecom.StaffFieldValue) *wecom.StaffField {
	sf := &wecom.StaffField{FieldID: v.FieldID, Result: wecom.HROK, ValueType: v.ValueType, ValueString: v.String,
		ValueUint64: v.Uint64, ValueUint32: v.Uint32, ValueInt64: v.Int64}
	if v.ValueType == wecom.HRValueMobile {
		m := v.Mobile
		sf.ValueMobile = &m
	}
	return sf
}

// rosterPlan is what /staff set is to change, read and checked against the fields once.
type rosterPlan struct {
	user    string
	changes []staffChange
}

// changed is the plan's changes whose new value differs from the roster's current one.
func (p rosterPlan) changed() []staffChange {
	var out []staffChange
	for _, c := range p.changes {
		if c.Old != c.New {
			out = append(out, c)
		}
	}
	return out
}

func staffPreview(_ context.Context, inv *commands.Invocation, p rosterPlan) (string, error) {
	pr := inv.P
	if len(p.changed()) == 0 {
		// Every value is the current one: say so instead of asking for a yes that changes nothing.
		var fields []string
		for _, c := range p.changes {
			fields = append(fields, fmt.Sprintf("%s: %s", replies.Escape(c.Field.FieldName), c.Old))
		}
		sep := "; "
		if pr.Zh() {
			sep = "；"
		}
		return "", bot.Errorf(bot.ECONFLICT, "Nothing to change: the roster of %s already reads %s (unchanged).",
			bot.Markdown(replies.Code(p.user)), bot.Markdown(strings.Join(fields, sep)))
	}
	b := replies.NewBuilder(pr)
	b.Para("You are about to change the roster (花名册) of %s:", replies.Code(p.user))
	for _, c := range p.changes {
		if c.Old == c.New {
			b.Item("%s: %s (%s)", replies.Escape(c.Field.FieldName), c.Old, replies.Font(replies.Comment, pr.T("unchanged")))
			continue
		}
		b.Item("%s: %s → %s", replies.Escape(c.Field.FieldName), c.Old, c.New)
	}
	return b.String(), nil
}

func (d Deps) staffSet(ctx context.Context, inv *commands.Invocation, p rosterPlan) (*replies.Reply, error) {
	pr := inv.P
	user, changes := p.user, p.changed() // only what differs is sent
	if len(changes) == 0 {
		return replies.Say(pr, "Nothing to change now: the roster of %s already holds those values.", bot.Markdown(replies.Code(user))), nil
	}
	req := &wecom.UpdateStaffInfoRequest{UserID: user}
	for _, c := range changes {
		req.UpdateItems = append(req.UpdateItems, c.Value)
	}
	res, err := d.Client.HR.UpdateStaffInfo(ctx, req)
	if err != nil {
		return nil, err
	}
	results := map[int]wecom.HRResult{}
	for _, r := range res.UpdateResults {
		if r.SubIdx == 0 {
			results[r.FieldID] = r.Result
		}
	}
	b := replies.NewBuilder(pr)
	b.Heading("Roster of %s", replies.Code(user))
	ok := 0
	for _, c := range changes {
		r, answered := results[c.Field.FieldID]
		outcome := replies.Font(replies.Warning, pr.T("no answer from WeCom"))
		switch {
		case answered && r == wecom.HROK:
			ok++
			outcome = replies.Font(replies.Info, pr.T("changed"))
		case answered:
			outcome = replies.Font(replies.Warning, pr.Sprintf("not changed: %s", replies.Escape(enumText(pr, r.String()))))
		}
		b.Item("%s: %s → %s — %s", replies.Escape(c.Field.FieldName), c.Old, c.New, outcome)
	}
	fields := pr.Plural(len(changes), "field", "fields")
	if n := len(changes) - ok; n > 0 {
		b.Para("%s: %d changed, %d not.", fields, ok, n)
	} else {
		b.Para("%s: %d changed.", fields, ok)
	}
	return b.Reply(), nil
}

// staffReconcile reads the fields back after an interrupted /staff set and says which hold the values asked for.
func staffReconcile(_ context.Context, inv *commands.Invocation, p rosterPlan) (*replies.Reply, error) {
	pr := inv.P
	user, changes := p.user, p.changes // the plan read the roster just now
	b := replies.NewBuilder(pr)
	b.Para("The roster of %s reads:", replies.Code(user))
	pending := 0
	for _, c := range changes {
		if c.Old == c.New {
			b.Item("%s: %s (%s)", replies.Escape(c.Field.FieldName), c.Old, replies.Font(replies.Info, pr.T("as requested")))
			continue
		}
		pending++
		b.Item("%s: %s (%s %s)", replies.Escape(c.Field.FieldName), c.Old,
			replies.Font(replies.Warning, pr.T("not the requested")), c.New)
	}
	if pending > 0 {
		b.Para("%s not changed yet: send /staff set again for them.", pr.Plural(pending, "field is", "fields are"))
	} else {
		b.Para("Every field is as requested.")
	}
	return b.Reply(), nil
}

// checkUserOrName accepts a userid, or a member's name to look up (one word, at most 64 characters).
func checkUserOrName(v string) error {
	if commands.UserIDRE.MatchString(v) {
		return nil
	}
	if n := utf8.RuneCountInString(v); n == 0 || n > 64 || strings.ContainsFunc(v, notNameRune) {
		return fmt.Errorf("%q is not a valid userid or name", replies.Truncate(v, 64))
	}
	return nil
}

// notNameRune is what no member name holds: names are letters (any script), digits, "·", "." and "-".
func notNameRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) && r != '·' && r != '.' && r != '-'
}

// member reads a userid or, when v is not one, finds the member by name: one match is used; none or several
// are answered, naming the candidates, so the member can say which with the userid.
func (k *desk) member(ctx context.Context, v string) (string, error) {
	if commands.UserIDRE.MatchString(v) || k.Names == nil {
		return v, nil
	}
	found, err := k.Names.Find(ctx, v, 10)
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", bot.Errorf(bot.ENOTFOUND, "No member named %s is visible to the app. Give their userid instead.", v)
	case 1:
		return found[0], nil
	}
	codes := make([]string, len(found))
	for i, u := range found {
		codes[i] = replies.Code(u)
	}
	return "", bot.Errorf(bot.ECONFLICT, "%d members are named %s: %s. Which one? Send the command again with their userid.",
		len(found), v, bot.Markdown(strings.Join(codes, ", ")))
}
