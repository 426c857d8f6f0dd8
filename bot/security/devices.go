package security

// /devices: WeCom's device management (设备管理, security/trustdevice/*, DOC/98920). Three lists: trusted
// enterprise devices (type 1), unknown devices (type 2) and trusted personal devices (type 3). Members apply for
// an unknown device to be trusted (status 3 as an enterprise device, 4 as a personal one); only those can be
// approved or rejected.

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/wecombot/wecombot/bot/commands"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

var (
	// codeRE matches a device_code: WeCom's look 7 letters and digits ("49nNtYq"); a little room is left.
	// The examples name the demo's sample devices (the emulator's seed is fixed).
	codeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	listRE = regexp.MustCompile(`^(?i:trusted|unknown|personal|pending)$`)
	mACRE  = regexp.MustCompile(`^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$`)
	// serialRE matches a Mac serial number (Apple's are 10–12 letters and digits).
	serialRE = regexp.MustCompile(`^[A-Za-z0-9]{4,64}$`)
	uUIDRE   = regexp.MustCompile(`^[A-Za-z0-9_.:{}-]{1,128}$`)
	nameRE   = regexp.MustCompile(`^[^\x00-\x1f\x7f]{1,128}$`)
)

// maxListed bounds one list walk (50 pages of 100): a corp with more devices sees the first ones and is told.
const maxListed = 5000

// devTypes are the words for the three lists.
var devTypes = map[string]wecom.DeviceType{
	"trusted":  wecom.DeviceTrustedCorp,
	"unknown":  wecom.DeviceUnknown,
	"personal": wecom.DeviceTrustedPersonal,
}

var typeWords = []string{"trusted", "unknown", "personal"}

// listTitle names each list in headings; listNoun within a sentence ("on the %s list"); listEmpty says a list
// is empty. All are message ids.
var (
	listTitle = map[wecom.DeviceType]string{
		wecom.DeviceTrustedCorp:     i18n.N("Trusted enterprise devices (可信企业设备)"),
		wecom.DeviceUnknown:         i18n.N("Unknown devices (未知设备)"),
		wecom.DeviceTrustedPersonal: i18n.N("Trusted personal devices (可信个人设备)"),
	}
	listNoun = map[wecom.DeviceType]string{
		wecom.DeviceTrustedCorp:     i18n.N("trusted enterprise devices (可信企业设备)"),
		wecom.DeviceUnknown:         i18n.N("unknown devices (未知设备)"),
		wecom.DeviceTrustedPersonal: i18n.N("trusted personal devices (可信个人设备)"),
	}
	listEmpty = map[wecom.DeviceType]string{
		wecom.DeviceTrustedCorp:     i18n.N("No trusted enterprise devices (可信企业设备)."),
		wecom.DeviceUnknown:         i18n.N("No unknown devices (未知设备)."),
		wecom.DeviceTrustedPersonal: i18n.N("No trusted personal devices (可信个人设备)."),
	}
)

func deviceCommands(d Deps) []*commands.Command {
	codes := commands.Arg{Name: "code", Many: true, Match: codeRE, Help: "device codes, as /devices shows them (up to 100)",
		Prompt: "Which device codes? (as /devices shows them, separated by spaces)"}
	return []*commands.Command{
		{
			Path:    "devices",
			Aliases: []string{"设备"},
			Args: []commands.Arg{{Name: "list", Optional: true, Check: checkListWord,
				Help: "trusted (default), unknown, personal, or pending: unknown devices awaiting an admin's decision"}},
			Flags:    []commands.Flag{pageFlag},
			Summary:  "List trusted, unknown or personal devices, or those awaiting approval",
			Help:     "Walks the whole list in WeCom and shows each device's code, name, last user and login, and status, most recent login first.",
			Examples: []string{"/devices", "/devices pending", "/devices unknown", "/devices personal --page 2", "/devices unknown --csv"},
			Perm:     "devices.read",
			Audited:  true,
			APIs:     []string{"POST security/trustdevice/list"},
			Run:      d.devList,
			CSV:      d.devCSV,
		},
		{
			Path:     "devices user",
			Aliases:  []string{"设备 成员"},
			Args:     []commands.Arg{{Name: "userid", Match: commands.UserIDRE, Help: "the member's userid (the account, not the display name)"}},
			Flags:    []commands.Flag{{Name: "type", Values: typeWords, Help: "only this list (default: all three)"}},
			Summary:  "Show the devices a member last logged in on",
			Examples: []string{"/devices user lisi", "/devices user zhangsan --type personal"},
			Perm:     "devices.read",
			Audited:  true,
			APIs:     []string{"POST security/trustdevice/get_by_user"},
			Run:      d.devUser,
		},
		d.decision(codes, true),
		d.decision(codes, false),
		commands.Steps[deletePlan]{
			Plan: func(ctx context.Context, inv *commands.Invocation) (deletePlan, error) {
				return deletePlan{typ: devTypes[inv.Flag("type")], codes: inv.List("code")}, nil
			},
			Preview: d.deletePreview, Run: d.devDelete, Reconcile: d.deleteReconcile,
		}.Mutating(&commands.Command{
			Path:     "devices delete",
			Aliases:  []string{"设备 删除"},
			Args:     []commands.Arg{codes},
			Flags:    []commands.Flag{{Name: "type", Values: typeWords, Required: true, Help: "the list to delete from: trusted, unknown or personal"}},
			Summary:  "Delete devices from a list",
			Help:     "A deleted trusted device is no longer trusted: it must be imported or approved again. WeCom answers nothing per device, so the list is read back afterwards to say which are gone.",
			Examples: []string{"/devices delete mTkvvES --type trusted", "/devices delete jEum39b 8H92Hwo --type unknown"},
			Perm:     "devices.write",
			APIs:     []string{"POST security/trustdevice/delete", "POST security/trustdevice/list"},
		}),
		d.importer(&commands.Command{
			Path:    "devices import windows",
			Aliases: []string{"设备 导入 windows"},
			Args: []commands.Arg{{Name: "macs", Many: true, Check: checkMACWord,
				Help:   "one word per PC: its MAC addresses, comma-separated, like 50:81:40:29:33:CA,36:27:51:DF:6E:80",
				Prompt: "Which PCs? One word per PC: its MAC addresses, comma-separated."}},
			Flags: []commands.Flag{
				{Name: "pc-name", Help: "the PC's computer name (one PC only)"},
				{Name: "domain", Help: "the PC's Windows domain (one PC only)"},
				{Name: "motherboard-uuid", Help: "the motherboard UUID (one PC only)"},
				{Name: "harddisk-uuid", Help: "hard disk serial numbers, comma-separated (one PC only)"},
			},
			Summary: "Import Windows PCs as trusted enterprise devices, by MAC address",
			Help:    "Up to 100 PCs at once, one word each. WeCom reports each one as imported, already imported (重复导入), unsupported or malformed.",
			Examples: []string{"/devices import windows 50:81:40:29:33:CA,36:27:51:DF:6E:80 --pc-name PC-SEC-001",
				"/devices import windows 00:1A:2B:3C:4D:5E 00:1A:2B:3C:4D:5F"},
			Perm: "devices.write",
		}, "Windows"),
		d.importer(&commands.Command{
			Path:    "devices import mac",
			Aliases: []string{"设备 导入 mac"},
			Args: []commands.Arg{{Name: "serial", Many: true, Match: serialRE, Help: "one word per Mac: its serial number",
				Prompt: "Which Macs? Their serial numbers, separated by spaces."}},
			Flags:    []commands.Flag{{Name: "mac", Help: "the Mac's MAC addresses, comma-separated (one Mac only; optional)"}},
			Summary:  "Import Macs as trusted enterprise devices, by serial number",
			Help:     "Up to 100 Macs at once, one serial number each.",
			Examples: []string{"/devices import mac C02XK1ABJGH5", "/devices import mac C02XK1ABJGH5 --mac a4:83:e7:11:22:33"},
			Perm:     "devices.write",
		}, "Mac"),
	}
}

// decision is /devices approve (approve) or /devices reject: the twins differ in the call and the words.
func (d Deps) decision(codes commands.Arg, approve bool) *commands.Command {
	c := &commands.Command{
		Path:     "devices reject",
		Aliases:  []string{"设备 拒绝"},
		Args:     []commands.Arg{codes},
		Summary:  "Reject devices' applications to be trusted",
		Help:     "Only devices awaiting an admin's confirmation (/devices pending) can be rejected; they stay unknown devices.",
		Examples: []string{"/devices reject jEum39b", "/devices reject jEum39b 8H92Hwo"},
		Perm:     "devices.write",
		APIs:     []string{"POST security/trustdevice/reject", "POST security/trustdevice/list"},
	}
	if approve {
		c.Path, c.Summary, c.Aliases = "devices approve", i18n.N("Approve devices awaiting confirmation as trusted"), []string{"设备 通过"}
		c.Help = i18n.N("Only devices awaiting an admin's confirmation (/devices pending) can be approved: one a member declared as an enterprise device becomes a trusted enterprise device, a personal one a trusted personal device.")
		c.Examples = []string{"/devices approve tewmyng", "/devices approve tewmyng Qq2CYeU"}
		c.APIs = []string{"POST security/trustdevice/approve", "POST security/trustdevice/list"}
	}
	return commands.Steps[decidePlan]{
		Plan: func(ctx context.Context, inv *commands.Invocation) (decidePlan, error) {
			return decidePlan{approve: approve, codes: inv.List("code")}, nil
		},
		Preview: d.decidePreview, Run: d.decide, Reconcile: d.decideReconcile,
	}.Mutating(c)
}

// decidePlan is what /devices approve or reject is to do.
type decidePlan struct {
	approve bool
	codes   []string
}

// deletePlan is what /devices delete is to do.
type deletePlan struct {
	typ   wecom.DeviceType
	codes []string
}

// importer makes c an import of system's devices ("Windows" or "Mac"): the twins differ in how a device is
// written on the command line, which imports reads into the plan.
func (d Deps) importer(c *commands.Command, system string) *commands.Command {
	c.APIs = []string{"POST security/trustdevice/import", "POST security/trustdevice/list"}
	return commands.Steps[importPlan]{
		Plan: func(ctx context.Context, inv *commands.Invocation) (importPlan, error) {
			devs, err := imports(inv, system)
			return importPlan{system: system, devs: devs}, err
		},
		Preview: importPreview, Run: d.devImport, Reconcile: d.importReconcile,
	}.Mutating(c)
}

// importPlan is the devices an import is to add.
type importPlan struct {
	system string
	devs   []wecom.DeviceImport
}

// listWordsZh are the lists' Chinese names, as WeCom's admin console calls them (/设备 待确认).
var listWordsZh = map[string]string{"可信": "trusted", "可信设备": "trusted", "企业设备": "trusted", "未知": "unknown",
	"未知设备": "unknown", "个人": "personal", "个人设备": "personal", "待确认": "pending", "待审批": "pending"}

// listWord is the list an argument names, in English.
func listWord(v string) string {
	if en, ok := listWordsZh[v]; ok {
		return en
	}
	return strings.ToLower(v)
}

// checkListWord names the lists /devices shows when another word is given ("/devices list").
func checkListWord(v string) error {
	if !listRE.MatchString(listWord(v)) {
		return fmt.Errorf("%q is not one of the lists: trusted, unknown, personal or pending (可信, 未知, 个人, 待确认; e.g. /devices pending)", replies.Truncate(v, 64))
	}
	return nil
}

// devAwaiting reports whether a device awaits an admin's decision, the only state approve and reject accept.
func devAwaiting(s wecom.DeviceStatus) bool {
	return s == wecom.DeviceAwaitingCorpConfirmation || s == wecom.DeviceAwaitingPersonalConfirm
}

// devStatus shows a status in words, coloured: trusted green, awaiting a decision orange, the rest grey.
func devStatus(p *i18n.Printer, s wecom.DeviceStatus) string {
	c := replies.Comment
	switch {
	case s == wecom.DeviceConfirmedCorp || s == wecom.DeviceConfirmedPersonal:
		c = replies.Info
	case devAwaiting(s):
		c = replies.Warning
	}
	return replies.Font(c, replies.Escape(Label(p, s)))
}

// devName is what people call the device: "Windows PC-SEC-001", "Mac C02XK1ABJGH5" (escaped).
func devName(dev wecom.Device) string {
	name := dev.PCName
	if dev.System == "Mac" || name == "" {
		name = dev.SeqNo
	}
	if name == "" && len(dev.MacAddr) > 0 {
		name = dev.MacAddr[0]
	}
	return replies.Escape(strings.TrimSpace(dev.System + " " + name))
}

// devLine is one device as a list item's text.
func (d Deps) devLine(p *i18n.Printer, dev wecom.Device) string {
	owner := p.T("no login yet")
	if dev.LastLoginUserID != "" {
		owner = p.Sprintf("%s, last login %s", d.who(dev.LastLoginUserID), replies.When(dev.LastLoginTime, d.loc()))
	}
	line := fmt.Sprintf("%s · %s · %s · %s", replies.Code(dev.DeviceCode), devName(dev), owner, devStatus(p, dev.Status))
	if devAwaiting(dev.Status) && dev.ConfirmTimestamp > 0 {
		if dev.ConfirmUserID != "" {
			return p.Sprintf("%s · applied by %s %s", line, replies.Code(dev.ConfirmUserID), replies.When(dev.ConfirmTimestamp, d.loc()))
		}
		return p.Sprintf("%s · applied %s", line, replies.When(dev.ConfirmTimestamp, d.loc()))
	}
	return line
}

// statusCounts is "3 confirmed …; 2 imported, …", most common first.
func statusCounts(p *i18n.Printer, devs []wecom.Device) string {
	counts := map[wecom.DeviceStatus]int{}
	for _, dev := range devs {
		counts[dev.Status]++
	}
	keys := make([]wecom.DeviceStatus, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b wecom.DeviceStatus) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", counts[k], replies.Escape(Label(p, k)))
	}
	sep := "; "
	if p.Zh() {
		sep = "；"
	}
	return strings.Join(parts, sep)
}

// devWalk reads a whole list, up to maxListed devices; capped reports that there were more.
func (d Deps) devWalk(ctx context.Context, typ wecom.DeviceType, keep func(wecom.Device) bool, limit int) (devs []wecom.Device, capped bool, err error) {
	for dev, err := range d.Client.Security.AllDevices(ctx, typ) {
		if err != nil {
			return nil, false, wecomErr(err)
		}
		if keep != nil && !keep(dev) {
			continue
		}
		if len(devs) >= limit {
			return devs, true, nil
		}
		devs = append(devs, dev)
	}
	return devs, false, nil
}

// devSelect reads the list /devices names (trusted by default), at most limit devices, most recent
// activity first.
func (d Deps) devSelect(ctx context.Context, inv *commands.Invocation, limit int) (devs []wecom.Device, capped, pending bool, typ wecom.DeviceType, title string, err error) {
	which := listWord(inv.Arg("list"))
	if which == "" {
		which = "trusted"
	}
	typ, pending = devTypes[which], which == "pending"
	title = listTitle[typ]
	var keep func(wecom.Device) bool
	if pending {
		typ, title = wecom.DeviceUnknown, i18n.N("Devices awaiting an admin's decision (待管理员确认)")
		keep = func(dev wecom.Device) bool { return devAwaiting(dev.Status) }
	}
	if devs, capped, err = d.devWalk(ctx, typ, keep, limit); err != nil {
		return
	}
	// Most recent activity first: for applications the application time, otherwise the last login.
	slices.SortStableFunc(devs, func(a, b wecom.Device) int {
		if pending {
			return cmp.Compare(b.ConfirmTimestamp, a.ConfirmTimestamp)
		}
		return cmp.Compare(b.LastLoginTime, a.LastLoginTime)
	})
	return
}

func (d Deps) devList(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	devs, capped, pending, typ, title, err := d.devSelect(ctx, inv, maxListed)
	if err != nil {
		return nil, err
	}
	if len(devs) == 0 {
		if pending {
			return replies.Say(p, "No device is awaiting an admin's decision."), nil
		}
		return replies.Say(p, listEmpty[typ]), nil
	}
	page, footer := pageFor(devs, inv)
	b := replies.NewBuilder(p)
	b.Heading(title)
	if len(devs) == 1 {
		b.Para("**%d** device: %s", len(devs), statusCounts(p, devs))
	} else {
		b.Para("**%d** devices: %s", len(devs), statusCounts(p, devs))
	}
	if capped {
		b.Para("%s", replies.Font(replies.Warning, p.Sprintf("More than %d devices: only the first %d are counted and listed.", maxListed, maxListed)))
	}
	for _, dev := range page {
		b.Item("%s", d.devLine(p, dev))
	}
	if footer != "" {
		b.Para("%s", footer)
	}
	if pending {
		b.Para("Decide with `/devices approve CODE…` or `/devices reject CODE…`.")
	}
	return b.Reply(), nil
}

func (d Deps) devUser(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	user := inv.Arg("userid")
	types := []wecom.DeviceType{wecom.DeviceTrustedCorp, wecom.DeviceUnknown, wecom.DeviceTrustedPersonal}
	if inv.Has("type") {
		types = []wecom.DeviceType{devTypes[inv.Flag("type")]}
	}
	const perList = replies.PerPage
	var b strings.Builder
	total := 0
	for _, typ := range types {
		devs, err := d.Client.Security.GetDevicesByUser(ctx, user, typ)
		if err != nil {
			return nil, wecomErr(err, user)
		}
		total += len(devs)
		if len(devs) == 0 {
			b.WriteString("\n" + p.Sprintf("**%s**: none", p.T(listTitle[typ])) + "\n")
			continue
		}
		slices.SortStableFunc(devs, func(a, b wecom.Device) int { return cmp.Compare(b.LastLoginTime, a.LastLoginTime) })
		fmt.Fprintf(&b, "\n**%s**%s%d\n\n", p.T(listTitle[typ]), p.Colon(), len(devs))
		for _, dev := range devs[:min(len(devs), perList)] {
			b.WriteString("- " + d.devLine(p, dev) + "\n")
		}
		if len(devs) > perList {
			b.WriteString("- " + p.Sprintf("… and %d more: see `/devices %s`", len(devs)-perList, typeWordOf(typ)) + "\n")
		}
	}
	head := "## " + p.Sprintf("Devices %s last logged in on", replies.Code(user)) + "\n\n"
	if total == 0 {
		if len(types) == 1 {
			return &replies.Reply{Markdown: head + p.Markdownf("%s last logged in on no device on the %s list.",
				bot.Markdown(replies.Code(user)), p.T(listNoun[types[0]]))}, nil
		}
		return &replies.Reply{Markdown: head + p.Markdownf("%s last logged in on no device on any list.", bot.Markdown(replies.Code(user)))}, nil
	}
	return &replies.Reply{Markdown: strings.TrimRight(head+p.Plural(total, "device", "devices")+"\n"+b.String(), "\n")}, nil
}

func typeWordOf(t wecom.DeviceType) string {
	for w, v := range devTypes {
		if v == t {
			return w
		}
	}
	return ""
}

// devFound is a device and the list it is on.
type devFound struct {
	wecom.Device
	Type wecom.DeviceType
}

// devLookup finds the devices with the given codes, walking the lists in the order given until all are found.
// WeCom has no lookup by code.
func (d Deps) devLookup(ctx context.Context, codes []string, types ...wecom.DeviceType) (map[string]devFound, error) {
	want := make(map[string]bool, len(codes))
	for _, c := range codes {
		want[c] = true
	}
	found := map[string]devFound{}
	for _, typ := range types {
		if len(found) == len(want) {
			break
		}
		n := 0
		for dev, err := range d.Client.Security.AllDevices(ctx, typ) {
			if err != nil {
				return found, wecomErr(err)
			}
			if want[dev.DeviceCode] {
				found[dev.DeviceCode] = devFound{dev, typ}
				if len(found) == len(want) {
					break
				}
			}
			if n++; n >= maxListed {
				break
			}
		}
	}
	return found, nil
}

var allTypes = []wecom.DeviceType{wecom.DeviceUnknown, wecom.DeviceTrustedCorp, wecom.DeviceTrustedPersonal}

// devBecomes says what approving a device awaiting confirmation makes it.
func devBecomes(p *i18n.Printer, s wecom.DeviceStatus) string {
	if s == wecom.DeviceAwaitingPersonalConfirm {
		return p.T("becomes a trusted personal device (可信个人设备)")
	}
	return p.T("becomes a trusted enterprise device (可信企业设备)")
}

// devVerb is the command word and the API of a decision.
func devVerb(approve bool) (verb, op string) {
	if approve {
		return "approve", "security/trustdevice/approve"
	}
	return "reject", "security/trustdevice/reject"
}

// decisionWords are what a decision's reply says, one whole phrase each (ids), approve first.
type decisionWords struct {
	past, not, onlyAwaiting, stillAwaiting, readBack string
}

var decisionSays = map[bool]decisionWords{
	true: {i18n.N("approved"), i18n.N("not approved"), i18n.N("only devices awaiting an admin's confirmation can be approved"),
		i18n.N("still awaiting a decision: not approved"), i18n.N("(The devices could not be read back after the approve: %s)")},
	false: {i18n.N("rejected"), i18n.N("not rejected"), i18n.N("only devices awaiting an admin's confirmation can be rejected"),
		i18n.N("still awaiting a decision: not rejected"), i18n.N("(The devices could not be read back after the reject: %s)")},
}

// decidePreview lists each device with its owner and status, flags those WeCom will refuse, and refuses
// outright when none can be decided.
func (d Deps) decidePreview(ctx context.Context, inv *commands.Invocation, pl decidePlan) (string, error) {
	p := inv.P
	_, op := devVerb(pl.approve)
	codes := pl.codes
	found, err := d.devLookup(ctx, codes, allTypes...)
	if err != nil {
		return "", err
	}
	var lines []string
	eligible := 0
	for _, c := range codes {
		f, ok := found[c]
		switch {
		case !ok:
			lines = append(lines, fmt.Sprintf("- %s · %s", replies.Code(c),
				replies.Font(replies.Warning, p.T("no device with this code on any list: WeCom will refuse it"))))
		case !devAwaiting(f.Status):
			lines = append(lines, fmt.Sprintf("- %s · %s", d.devLine(p, f.Device),
				replies.Font(replies.Warning, p.T("not awaiting confirmation: WeCom will refuse it"))))
		default:
			eligible++
			outcome := p.T("its application is refused; it stays an unknown device")
			if pl.approve {
				outcome = devBecomes(p, f.Status)
			}
			lines = append(lines, fmt.Sprintf("- %s → %s", d.devLine(p, f.Device), outcome))
		}
	}
	list := strings.Join(lines, "\n")
	if eligible == 0 {
		if pl.approve {
			return "", bot.Errorf(bot.ECONFLICT, "Nothing to approve: only devices awaiting an admin's confirmation (待管理员确认) can be approved, and none of these is.\n\n%s\n\nSee `/devices pending`.",
				bot.Markdown(list))
		}
		return "", bot.Errorf(bot.ECONFLICT, "Nothing to reject: only devices awaiting an admin's confirmation (待管理员确认) can be rejected, and none of these is.\n\n%s\n\nSee `/devices pending`.",
			bot.Markdown(list))
	}
	n := p.Plural(eligible, "device", "devices")
	head := p.Sprintf("**Reject %s** (%s):", n, op)
	if pl.approve {
		head = p.Sprintf("**Approve %s** (%s):", n, op)
	}
	if skipped := len(codes) - eligible; skipped > 0 {
		head += p.Sprintf(" %d of the %d codes will fail, as marked.", skipped, len(codes))
	}
	return head + "\n\n" + list, nil
}

func (d Deps) decide(ctx context.Context, inv *commands.Invocation, pl decidePlan) (*replies.Reply, error) {
	p := inv.P
	approve := pl.approve
	says := decisionSays[approve]
	codes := pl.codes
	call := d.Client.Security.RejectDevices
	if approve {
		call = d.Client.Security.ApproveDevices
	}
	res, err := call(ctx, codes)
	if err != nil {
		return nil, wecomErr(err)
	}
	// The call is done: whatever happens reading back, the reply reports it.
	after, lerr := d.devLookup(ctx, codes, allTypes...)
	ok := map[string]bool{}
	for _, c := range res.SuccessList {
		ok[c] = true
	}
	failed := map[string]bool{}
	for _, c := range res.FailList {
		failed[c] = true
	}
	b := replies.NewBuilder(p)
	if approve {
		b.Heading("Approved %d of %s", len(res.SuccessList), p.Plural(len(codes), "device", "devices"))
	} else {
		b.Heading("Rejected %d of %s", len(res.SuccessList), p.Plural(len(codes), "device", "devices"))
	}
	var failures []string // for the audit trail, in English
	for _, c := range codes {
		now := ""
		if f, found := after[c]; found {
			now = d.devLine(p, f.Device)
		} else {
			now = replies.Code(c)
			if lerr == nil {
				now = p.Sprintf("%s · no longer on any list", now)
			}
		}
		switch {
		case ok[c]:
			b.Item("%s — %s", replies.Font(replies.Info, p.T(says.past)), now)
		case failed[c]:
			why := says.onlyAwaiting
			if _, found := after[c]; !found && lerr == nil {
				why = i18n.N("no such device")
			}
			b.Item("%s (%s) — %s", replies.Font(replies.Warning, p.T(says.not)), p.T(why), now)
			failures = append(failures, c+": "+why)
		default:
			b.Item("%s — %s", replies.Font(replies.Comment, p.T("not reported by WeCom")), now)
			failures = append(failures, c+": not reported by WeCom")
		}
	}
	if lerr != nil {
		b.Para(says.readBack, replies.Describe(ctx, lerr))
	}
	if len(failures) > 0 {
		return b.Reply(), &commands.Partial{Failures: failures}
	}
	return b.Reply(), nil
}

// decideReconcile reports the devices' current state after a run cut off by a restart.
func (d Deps) decideReconcile(ctx context.Context, inv *commands.Invocation, pl decidePlan) (*replies.Reply, error) {
	p := inv.P
	verb, _ := devVerb(pl.approve)
	codes := pl.codes
	found, err := d.devLookup(ctx, codes, allTypes...)
	if err != nil {
		return nil, err
	}
	b := replies.NewBuilder(p)
	still := 0
	for _, c := range codes {
		f, ok := found[c]
		switch {
		case !ok:
			b.Item("%s · on no list", replies.Code(c))
		case devAwaiting(f.Status):
			still++
			b.Item("%s · %s", d.devLine(p, f.Device), replies.Font(replies.Warning, p.T(decisionSays[pl.approve].stillAwaiting)))
		default:
			b.Item("%s", d.devLine(p, f.Device))
		}
	}
	if still > 0 {
		b.Para("Send `/devices %s` again for the %s still awaiting a decision.", verb, p.Plural(still, "device", "devices"))
	}
	return b.Reply(), nil
}

func (d Deps) deletePreview(ctx context.Context, inv *commands.Invocation, pl deletePlan) (string, error) {
	p := inv.P
	typ, codes := pl.typ, pl.codes
	found, err := d.devLookup(ctx, codes, typ)
	if err != nil {
		return "", err
	}
	listName := p.T(listNoun[typ])
	var lines []string
	for _, c := range codes {
		if f, ok := found[c]; ok {
			lines = append(lines, "- "+d.devLine(p, f.Device))
		} else {
			lines = append(lines, fmt.Sprintf("- %s · %s", replies.Code(c),
				replies.Font(replies.Warning, p.T("not on this list: nothing to delete"))))
		}
	}
	if len(found) == 0 {
		return "", bot.Errorf(bot.ECONFLICT, "Nothing to delete: none of these codes is on the %s list.\n\n%s\n\nSee %s.",
			listName, bot.Markdown(strings.Join(lines, "\n")), bot.Markdown(replies.Code("/devices "+inv.Flag("type"))))
	}
	warn := ""
	if typ != wecom.DeviceUnknown {
		warn = "\n\n" + p.T("A deleted device is no longer trusted: it must be imported or approved again.")
	}
	return p.Sprintf("**Delete %s from the %s list** (security/trustdevice/delete):",
		p.Plural(len(found), "device", "devices"), listName) + "\n\n" + strings.Join(lines, "\n") + warn, nil
}

func (d Deps) devDelete(ctx context.Context, inv *commands.Invocation, pl deletePlan) (*replies.Reply, error) {
	p := inv.P
	typ, codes := pl.typ, pl.codes
	if err := d.Client.Security.DeleteDevices(ctx, typ, codes); err != nil {
		return nil, wecomErr(err)
	}
	// WeCom answers only errcode: read the list back to say which are gone.
	left, lerr := d.devLookup(ctx, codes, typ)
	listName := p.T(listNoun[typ])
	if lerr != nil {
		return &replies.Reply{Markdown: p.Sprintf("WeCom accepted the delete of %s from the %s list, but the list could not be read back to confirm: %s",
			codeList(codes), listName, replies.Describe(ctx, lerr))}, nil
	}
	b := replies.NewBuilder(p)
	b.Heading("Deleted %d of %s from the %s list", len(codes)-len(left), p.Plural(len(codes), "device", "devices"), listName)
	for _, c := range codes {
		if f, ok := left[c]; ok {
			b.Item("%s — %s", replies.Font(replies.Warning, p.T("still on the list")), d.devLine(p, f.Device))
		} else {
			b.Item("%s — %s", replies.Font(replies.Info, p.T("gone")), replies.Code(c))
		}
	}
	return b.Reply(), nil
}

func (d Deps) deleteReconcile(ctx context.Context, inv *commands.Invocation, pl deletePlan) (*replies.Reply, error) {
	p := inv.P
	typ, codes := pl.typ, pl.codes
	left, err := d.devLookup(ctx, codes, typ)
	if err != nil {
		return nil, err
	}
	b := replies.NewBuilder(p)
	b.Para("On the %s list:", p.T(listNoun[typ]))
	for _, c := range codes {
		if f, ok := left[c]; ok {
			b.Item("%s — %s", replies.Font(replies.Warning, p.T("still there")), d.devLine(p, f.Device))
		} else {
			b.Item("%s — %s", replies.Font(replies.Info, p.T("gone")), replies.Code(c))
		}
	}
	if len(left) > 0 {
		b.Para("Send `/devices delete` again for the %s still there.", p.Plural(len(left), "device", "devices"))
	}
	return b.Reply(), nil
}

// normMAC writes a MAC address the way WeCom's docs do: upper case, colon-separated.
func normMAC(m string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(m), "-", ":"))
}

// mACList reads "aa:bb:…,cc:dd:…": valid, normalised, without repeats, at most 100 (WeCom's per-device bound).
func mACList(v string) ([]string, error) {
	var out []string
	for _, m := range strings.Split(v, ",") {
		if strings.TrimSpace(m) == "" {
			continue
		}
		if !mACRE.MatchString(strings.TrimSpace(m)) {
			return nil, fmt.Errorf("%q is not a MAC address; write it like 50:81:40:29:33:CA", m)
		}
		out = append(out, normMAC(m))
	}
	out = commands.Unique(out)
	switch {
	case len(out) == 0:
		return nil, fmt.Errorf("no MAC address in %q", v)
	case len(out) > wecom.MaxDeviceMACAddresses:
		return nil, fmt.Errorf("at most %d MAC addresses per device, got %d", wecom.MaxDeviceMACAddresses, len(out))
	}
	return out, nil
}

func checkMACWord(v string) error { _, err := mACList(v); return err }

// imports builds the import request from the invocation. The per-device flags describe one device, so they
// are refused with several.
func imports(inv *commands.Invocation, system string) ([]wecom.DeviceImport, error) {
	one := func(flag string) error {
		return bot.Errorf(bot.EINVALID, "--%s describes one device: import one device per command when you set it", flag)
	}
	var out []wecom.DeviceImport
	if system == "Windows" {
		words := inv.List("macs")
		if len(words) > 1 {
			for _, f := range []string{"pc-name", "domain", "motherboard-uuid", "harddisk-uuid"} {
				if inv.Has(f) {
					return nil, one(f)
				}
			}
		}
		for _, w := range words {
			macs, err := mACList(w)
			if err != nil {
				return nil, bot.Errorf(bot.EINVALID, "macs: %s", bot.UserArg(err))
			}
			out = append(out, wecom.DeviceImport{System: "Windows", MacAddr: macs})
		}
		if len(out) == 1 {
			dev := &out[0]
			for flag, dst := range map[string]*string{"pc-name": &dev.PCName, "domain": &dev.Domain, "motherboard-uuid": &dev.MotherboardUUID} {
				if v := strings.TrimSpace(inv.Flag(flag)); inv.Has(flag) {
					re := nameRE
					if flag == "motherboard-uuid" {
						re = uUIDRE
					}
					if !re.MatchString(v) {
						return nil, bot.Errorf(bot.EINVALID, "--%s: %q is not valid (1–128 characters, no control characters)", flag, v)
					}
					*dst = v
				}
			}
			if inv.Has("harddisk-uuid") {
				for _, h := range strings.Split(inv.Flag("harddisk-uuid"), ",") {
					if h = strings.TrimSpace(h); h == "" {
						continue
					}
					if !uUIDRE.MatchString(h) {
						return nil, bot.Errorf(bot.EINVALID, "--harddisk-uuid: %q is not a serial number", h)
					}
					dev.HarddiskUUID = append(dev.HarddiskUUID, h)
				}
				dev.HarddiskUUID = commands.Unique(dev.HarddiskUUID)
				if len(dev.HarddiskUUID) > wecom.MaxDeviceMACAddresses {
					return nil, bot.Errorf(bot.EINVALID, "--harddisk-uuid: at most %d per device", wecom.MaxDeviceMACAddresses)
				}
			}
		}
		return out, nil
	}
	serials := inv.List("serial")
	if len(serials) > 1 && inv.Has("mac") {
		return nil, one("mac")
	}
	for _, s := range serials {
		out = append(out, wecom.DeviceImport{System: "Mac", SeqNo: strings.ToUpper(s)})
	}
	if inv.Has("mac") {
		macs, err := mACList(inv.Flag("mac"))
		if err != nil {
			return nil, bot.Errorf(bot.EINVALID, "--mac: %s", bot.UserArg(err))
		}
		out[0].MacAddr = macs
	}
	return out, nil
}

// importDesc describes one device to import (escaped).
func importDesc(p *i18n.Printer, dev wecom.DeviceImport) string {
	var parts []string
	if dev.SeqNo != "" {
		parts = append(parts, p.Sprintf("serial %s", replies.Code(dev.SeqNo)))
	}
	if len(dev.MacAddr) > 0 {
		parts = append(parts, p.Sprintf("MAC %s", codeList(dev.MacAddr)))
	}
	if dev.PCName != "" {
		parts = append(parts, p.Sprintf("PC name %s", replies.Code(dev.PCName)))
	}
	if dev.Domain != "" {
		parts = append(parts, p.Sprintf("domain %s", replies.Code(dev.Domain)))
	}
	if dev.MotherboardUUID != "" {
		parts = append(parts, p.Sprintf("motherboard %s", replies.Code(dev.MotherboardUUID)))
	}
	if len(dev.HarddiskUUID) > 0 {
		parts = append(parts, p.Sprintf("disk %s", codeList(dev.HarddiskUUID)))
	}
	return strings.Join(parts, " · ")
}

func importPreview(_ context.Context, inv *commands.Invocation, pl importPlan) (string, error) {
	p := inv.P
	system, devs := pl.system, pl.devs
	n := p.Plural(len(devs), "Mac", "Macs")
	if system == "Windows" {
		n = p.Plural(len(devs), "Windows PC", "Windows PCs")
	}
	b := replies.NewBuilder(p)
	b.Para("**Import %s as trusted enterprise devices (可信企业设备)** (security/trustdevice/import):", n)
	for _, dev := range devs {
		b.Numbered("%s", importDesc(p, dev))
	}
	b.Para("They are trusted as soon as a member logs in on them.")
	return b.String(), nil
}

func importStatus(p *i18n.Printer, s wecom.ImportStatus) string {
	c := replies.Warning
	switch s {
	case wecom.ImportOK:
		c = replies.Info
	case wecom.ImportDuplicate:
		c = replies.Comment
	}
	return replies.Font(c, replies.Escape(Label(p, s)))
}

func (d Deps) devImport(ctx context.Context, inv *commands.Invocation, pl importPlan) (*replies.Reply, error) {
	p := inv.P
	devs := pl.devs
	res, err := d.Client.Security.ImportDevices(ctx, devs)
	if err != nil {
		return nil, wecomErr(err)
	}
	byIndex := map[int]wecom.DeviceImportResult{}
	imported := 0
	for _, r := range res {
		byIndex[r.DeviceIndex] = r
		if r.Status == wecom.ImportOK {
			imported++
		}
	}
	b := replies.NewBuilder(p)
	b.Heading("Imported %d of %s", imported, p.Plural(len(devs), "device", "devices"))
	for i, dev := range devs {
		r, ok := byIndex[i+1]
		var outcome string
		switch {
		case !ok:
			outcome = replies.Font(replies.Comment, p.T("not reported by WeCom"))
		case r.Status == wecom.ImportOK:
			outcome = p.Sprintf("%s as %s", importStatus(p, r.Status), replies.Code(r.DeviceCode))
		case r.Status == wecom.ImportDuplicate && r.DuplicatedDeviceCode != "":
			outcome = p.Sprintf("%s: it is %s", importStatus(p, r.Status), replies.Code(r.DuplicatedDeviceCode))
		default:
			outcome = importStatus(p, r.Status)
		}
		b.Numbered("%s → %s", importDesc(p, dev), outcome)
	}
	return b.Reply(), nil
}

// importReconcile looks for the devices on the trusted list, where an import puts them.
func (d Deps) importReconcile(ctx context.Context, inv *commands.Invocation, pl importPlan) (*replies.Reply, error) {
	p := inv.P
	system, devs := pl.system, pl.devs
	trusted, _, err := d.devWalk(ctx, wecom.DeviceTrustedCorp, func(dev wecom.Device) bool { return dev.System == system }, maxListed)
	if err != nil {
		return nil, err
	}
	b := replies.NewBuilder(p)
	b.Para("On the trusted enterprise device list:")
	missing := 0
	for _, want := range devs {
		var hit *wecom.Device
		for j := range trusted {
			if devSame(want, trusted[j]) {
				hit = &trusted[j]
				break
			}
		}
		if hit != nil {
			b.Numbered("%s → %s", importDesc(p, want), d.devLine(p, *hit))
		} else {
			missing++
			b.Numbered("%s → %s", importDesc(p, want), replies.Font(replies.Warning, p.T("not on the list")))
		}
	}
	if missing > 0 {
		b.Para("Send the import again for the %s not on the list: WeCom reports a device it already has as 重复导入 rather than importing it twice.",
			p.Plural(missing, "device", "devices"))
	}
	return b.Reply(), nil
}

// devSame reports whether a listed device is the one imported: a Mac by serial number, a PC by a shared MAC.
func devSame(want wecom.DeviceImport, dev wecom.Device) bool {
	if want.System == "Mac" {
		return strings.EqualFold(want.SeqNo, dev.SeqNo)
	}
	for _, m := range dev.MacAddr {
		if slices.Contains(want.MacAddr, normMAC(m)) {
			return true
		}
	}
	return false
}
