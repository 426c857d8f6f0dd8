package main

// wecombot doctor: checks a real install against WeCom and prints a checklist, one line per check, with the admin
// console fix for each problem. The checks are a table of small functions (doctorChecks) sharing one doctor,
// which holds the config, a WeCom client and what earlier checks found (the token, the app's settings).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/access"
	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// checkStatus is a check's outcome. Only fail makes doctor exit non-zero; warn is advice.
type checkStatus int

const (
	statusOK checkStatus = iota
	statusWarn
	statusSkip
	statusFail
)

func (s checkStatus) String() string {
	return [...]string{"ok", "WARN", "skipped", "FAIL"}[s]
}

// checkResult is what one check found: a line of detail and, for a problem, the fix.
type checkResult struct {
	status checkStatus
	detail string
	fix    string
}

func pass(format string, args ...any) checkResult {
	return checkResult{status: statusOK, detail: fmt.Sprintf(format, args...)}
}

func skip(format string, args ...any) checkResult {
	return checkResult{status: statusSkip, detail: fmt.Sprintf(format, args...)}
}

func fail(fix, format string, args ...any) checkResult {
	return checkResult{status: statusFail, detail: fmt.Sprintf(format, args...), fix: fix}
}

// doctorCheck is one line of the checklist.
type doctorCheck struct {
	name string
	run  func(ctx context.Context, d *doctor) checkResult
}

// doctor holds what the checks share.
type doctor struct {
	cfg    *config.Config
	client *wecom.Client
	// http fetches the approval page and WeCom's Date header; it never follows redirects.
	http *http.Client
	now  func() time.Time

	tokenErr  error // the token check's outcome; WeCom checks are skipped when it failed
	agent     *wecom.Agent
	agentErr  error
	agentDone bool
	db        *db.DB // opened by the database check, closed by run
}

// The fixes, in the admin console's words (README.md, "Running it for real").
const (
	fixSecret = "wecom.secret is not this app's Secret: copy it from 应用管理 → the app → Secret (查看), and set " +
		"wecom.secret (as \"env:WECOM_SECRET\")"
	fixCorpID = "wecom.corp_id is wrong: copy it from 我的企业 → 企业信息 → 企业ID"
	fixIP     = "add this server's egress IP to 应用管理 → the app → 企业可信IP (it takes about a minute)"
	fixAgent  = "wecom.agent_id is not this app's: copy it from 应用管理 → the app → AgentId"
	fixReach  = "WeCom did not answer: check wecom.api_base, DNS and the outbound firewall (HTTPS to qyapi.weixin.qq.com)"
	fixVisib  = "add them in 应用管理 → the app → 可见范围 (by name, or a department or tag holding them); until then " +
		"messages to them fail (81013) and the bot cannot look them up (60011)"
	fixClock = "set the clock right and keep it so (NTP: `timedatectl set-ntp true`, or chrony)"
	fixAudit = "set audit.key = \"env:AUDIT_KEY\" with 16+ random bytes (`openssl rand -base64 32`) before the " +
		"trail grows; without it anyone who can write the database can rewrite the trail and recompute the chain"
)

// wecomFix is the fix for an error from a WeCom call, when it is one of the set-up problems doctor knows.
func wecomFix(err error, family string) string {
	switch wecom.ErrorCode(err) {
	case wecom.CodeInvalidSecret, wecom.CodeInvalidCredentials2:
		return fixSecret
	case wecom.CodeInvalidCorpID:
		return fixCorpID
	case wecom.CodeUntrustedIP:
		return fixIP
	case wecom.CodeInvalidAgentID, wecom.CodeAppNotAuthorised:
		return fixAgent
	case wecom.CodeAPIForbidden:
		if family != "" {
			return "add the app to " + family
		}
		return wecom.Hint(wecom.CodeAPIForbidden)
	case 0:
		var verr *wecom.ValidationError
		if errors.As(err, &verr) {
			return "a bug in wecombot doctor's own request; please report it"
		}
		return fixReach
	}
	if h := wecom.Hint(wecom.ErrorCode(err)); h != "" {
		return h
	}
	return "see WeCom's errcode list (https://developer.work.weixin.qq.com/document/path/90313)"
}

// doctorChecks is the checklist, in order: later checks use what earlier ones found.
var doctorChecks = []doctorCheck{
	{"token", checkToken},
	{"egress IP", checkEgressIP},
	{"api devices", checkFamily(famDevices)},
	{"api member log", checkFamily(famMemberLog)},
	{"api admin log", checkFamily(famAdminLog)},
	{"api file records", checkFamily(famFileRecords)},
	{"api screen records", checkFamily(famScreenRecords)},
	{"api domain/IP", checkFamily(famDomainIP)},
	{"api vip accounts", checkFamily(famVIP)},
	{"api applications", checkFamily(famApplications)},
	{"api roster", checkFamily(famRoster)},
	{"api customers", checkFamily(famCustomers)},
	{"visibility", checkVisibility},
	{"tags and depts", checkDirectoryRefs},
	{"approvals", checkApprovals},
	{"alert chats", checkAlertChats},
	{"callback", checkCallback},
	{"clock", checkClock},
	{"database", checkDatabase},
	{"audit key", checkAuditKey},
}

// runDoctor is `wecombot doctor --config config.toml`.
func runDoctor(ctx context.Context, e *env, args []string) error {
	return doctorMain(ctx, e, args, nil)
}

// doctorMain runs the checklist; tune (tests only) adjusts the doctor before the checks run.
func doctorMain(ctx context.Context, e *env, args []string, tune func(*doctor)) error {
	cfg, err := loadConfig(e, "doctor", args)
	if err != nil {
		fmt.Fprintf(e.stdout, "%-8s %-18s %v\n", statusFail, "config", err)
		return err
	}
	d, err := newDoctor(cfg)
	if err != nil {
		return err
	}
	if tune != nil {
		tune(d)
	}
	if n := d.run(ctx, e.stdout); n > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", n)
	}
	return nil
}

func newDoctor(cfg *config.Config) (*doctor, error) {
	// A fresh in-memory token: the point is to see WeCom accept the secret now, not a token cached in the
	// database. One quick retry only: a checklist should answer in seconds.
	client, err := wecom.NewClient(wecom.Config{CorpID: cfg.WeCom.CorpID, Secret: cfg.WeCom.Secret,
		AgentID: cfg.WeCom.AgentID, BaseURL: cfg.WeCom.APIBase, MaxRetries: 1, RetryBase: 200 * time.Millisecond,
		HTTPClient: &http.Client{Timeout: 15 * time.Second}})
	if err != nil {
		return nil, err
	}
	return &doctor{cfg: cfg, client: client, now: time.Now, http: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// run prints the checklist to w and returns how many checks failed.
func (d *doctor) run(ctx context.Context, w io.Writer) int {
	defer func() {
		if d.db != nil {
			d.db.Close()
			d.db = nil
		}
	}()
	counts := map[checkStatus]int{}
	for _, c := range doctorChecks {
		r := c.run(ctx, d)
		counts[r.status]++
		fmt.Fprintf(w, "%-8s %-18s %s\n", r.status, c.name, oneLine(r.detail))
		if r.fix != "" {
			fmt.Fprintf(w, "%-8s %-18s fix: %s\n", "", "", oneLine(r.fix))
		}
	}
	fmt.Fprintf(w, "\n%d checks: %d ok, %d failed, %d skipped, %d warnings\n", len(doctorChecks),
		counts[statusOK], counts[statusFail], counts[statusSkip], counts[statusWarn])
	return counts[statusFail]
}

// oneLine keeps a line of the checklist on one line, and bounded, whatever WeCom or the network answered.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 600 {
		s = string(r[:600]) + "…"
	}
	return s
}

// needToken skips a WeCom check when there is no token.
func (d *doctor) needToken() (checkResult, bool) {
	if d.tokenErr != nil {
		return skip("no access token (see the token check)"), false
	}
	return checkResult{}, true
}

// getAgent reads the app's settings once (agent/get).
func (d *doctor) getAgent(ctx context.Context) (*wecom.Agent, error) {
	if !d.agentDone {
		d.agent, d.agentErr = d.client.Agent.Get(ctx, 0)
		d.agentDone = true
	}
	return d.agent, d.agentErr
}

func wecomFailure(err error, family, what string) checkResult {
	return fail(wecomFix(err, family), "%s: %v", what, err)
}

// checkToken asks WeCom for an access token with the configured corp id and secret (40001/40013 otherwise).
func checkToken(ctx context.Context, d *doctor) checkResult {
	_, err := d.client.Token(ctx)
	d.tokenErr = err
	if err != nil {
		return wecomFailure(err, "", "WeCom refused an access token")
	}
	return pass("WeCom issued an access token for corp %s, app %d", d.cfg.WeCom.CorpID, d.cfg.WeCom.AgentID)
}

// checkEgressIP makes a cheap call that needs no API permission: 60020 means the IP is not trusted.
func checkEgressIP(ctx context.Context, d *doctor) checkResult {
	if r, ok := d.needToken(); !ok {
		return r
	}
	if _, err := d.client.Misc.GetCallbackIP(ctx); err != nil {
		return wecomFailure(err, "", "getcallbackip failed")
	}
	return pass("WeCom answers API calls from this server (getcallbackip)")
}

// apiFamily is one group of APIs authorised together in the admin console, with a cheap read to probe it.
type apiFamily struct {
	api     string   // the probe's API path, as WeCom names it
	perms   []string // permissions whose commands call these APIs
	sources []string // alert rule sources that read them
	// approvals: the approval flow uses it; domainIPEvent: alerts.domain_ip_team does.
	approvals, domainIPEvent bool
	where                    string // the console list that authorises it
	probe                    func(ctx context.Context, d *doctor) (checkResult, error)
}

var (
	famDevices = apiFamily{api: "security/trustdevice/list", perms: []string{"devices.read", "devices.write"},
		sources: []string{"devices"}, where: "安全与管理 → 设备管理 → 「可调用接口的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			_, err := d.client.Security.ListDevices(ctx, &wecom.ListDevicesOptions{Type: wecom.DeviceTrustedCorp, Limit: 1})
			return checkResult{}, err
		}}
	famMemberLog = apiFamily{api: "security/member_oper_log/list", perms: []string{"oplog.read"},
		sources: []string{"member_oper_log"}, where: "安全与管理 → 使用分析 → API → 「可调用接口的应用」 (获取成员操作记录)",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			start, end := d.lastHour()
			_, err := d.client.Security.ListMemberOperLogs(ctx, &wecom.OperLogOptions{StartTime: start, EndTime: end, Limit: 1})
			return checkResult{}, err
		}}
	famAdminLog = apiFamily{api: "security/admin_oper_log/list", perms: []string{"oplog.read"},
		sources: []string{"admin_oper_log"}, where: "安全与管理 → 使用分析 → API → 「可调用接口的应用」 (获取管理端操作日志)",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			start, end := d.lastHour()
			_, err := d.client.Security.ListAdminOperLogs(ctx, &wecom.OperLogOptions{StartTime: start, EndTime: end, Limit: 1})
			return checkResult{}, err
		}}
	famFileRecords = apiFamily{api: "security/get_file_oper_record", perms: []string{"oplog.read"},
		sources: []string{"file_oper_record"}, where: "安全与管理 → 文件防泄漏 → 「可调用接口的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			start, end := d.lastHour()
			_, err := d.client.Security.ListFileOperRecords(ctx, &wecom.FileOperRecordOptions{StartTime: start, EndTime: end, Limit: 1})
			return checkResult{}, err
		}}
	famScreenRecords = apiFamily{api: "security/get_screen_oper_record", perms: []string{"oplog.read"},
		where: "安全与管理 → 截屏/录屏管理 → 「可调用接口的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			start, end := d.lastHour()
			_, err := d.client.Security.ListScreenOperRecords(ctx, &wecom.ScreenOperRecordOptions{StartTime: start, EndTime: end, Limit: 1})
			return checkResult{}, err
		}}
	famDomainIP = apiFamily{api: "security/get_server_domain_ip", perms: []string{"domainip.read"}, domainIPEvent: true,
		where: "我的企业 → 设置 → 域名IP → 「可调用API的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			_, err := d.client.Security.GetServerDomainIP(ctx)
			return checkResult{}, err
		}}
	famVIP = apiFamily{api: "security/vip/list", perms: []string{"vip.read", "vip.write", "order.approve"}, approvals: true,
		where: "安全与管理 → 高级功能账号 → 「可调用接口的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			_, err := d.client.VIP.List(ctx, "", 1)
			return checkResult{}, err
		}}
	famApplications = apiFamily{api: "advanced_feature/get_apply_id_list", perms: []string{"order.read", "order.approve"},
		approvals: true, where: "高级功能 → 成员申请管理 → 「可调用接口的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			// WeCom lists one member's applications for one product (DOC/99883): any member the app can see
			// will do (the visibility check names those it cannot).
			users := d.namedUsers()
			if len(users) == 0 {
				return skip("no userid in the config to list applications for"), nil
			}
			var err error
			for _, u := range users[:min(len(users), 3)] {
				_, err = d.client.AdvancedFeature.ListApplyIDs(ctx, &wecom.ListApplyIDsOptions{
					BusinessType: wecom.BusinessMail, UserID: u.value, Limit: 1})
				if !wecom.IsCode(err, wecom.CodeNoPrivilege) && !wecom.IsCode(err, wecom.CodeUserNotFound) {
					break
				}
			}
			return checkResult{}, err
		}}
	famRoster = apiFamily{api: "hr/get_fields", perms: []string{"staff.read", "staff.write", "whois.read"},
		where: "人事助手 → 「可调用接口的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			_, err := d.client.HR.GetFields(ctx)
			return checkResult{}, err
		}}
	famCustomers = apiFamily{api: "externalcontact/get", perms: []string{"whois.read"},
		where: "客户与上下游 → 客户联系 → 客户 → API → 「可调用接口的应用」",
		probe: func(ctx context.Context, d *doctor) (checkResult, error) {
			// There is no customer id to read, so ask for one that does not exist: an authorised app is told
			// the id is invalid (40096), an unauthorised one 48002.
			_, err := d.client.ExternalContact.Get(ctx, "wmDOCTORPROBE000000000000000")
			if wecom.IsCode(err, 40096) || wecom.IsCode(err, 84061) {
				err = nil
			}
			return checkResult{}, err
		}}
)

// lastHour is a window ending a second ago ("end_time 小于当前时间", DOC/100178).
func (d *doctor) lastHour() (int64, int64) {
	end := d.now().Unix() - 1
	return end - 3600, end
}

// usedBy says what in the config uses the family, or "".
func (d *doctor) usedBy(f apiFamily) string {
	c := d.cfg
	if len(c.Access.Admins) > 0 {
		return "access.admins (admins may run every command)"
	}
	names := make([]string, 0, len(c.Access.Roles))
	for name := range c.Access.Roles {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		caller := &access.Caller{Perms: c.Access.Roles[name].Permissions}
		for _, p := range f.perms {
			if caller.Can(p) {
				return fmt.Sprintf("access.roles.%s (%s)", name, p)
			}
		}
	}
	for _, r := range c.Alerts.Rules {
		if slices.Contains(f.sources, r.Source) {
			return fmt.Sprintf("alert rule %s (source %s)", r.Name, r.Source)
		}
	}
	if f.approvals && (len(c.Approvals.Approvers) > 0 || len(c.Approvals.ByType) > 0) {
		return "approvals"
	}
	if f.domainIPEvent && c.Alerts.DomainIPTeam != "" {
		return "alerts.domain_ip_team"
	}
	return ""
}

// checkFamily probes one API family the config uses: 48002 means the app is not in the family's list.
func checkFamily(f apiFamily) func(context.Context, *doctor) checkResult {
	return func(ctx context.Context, d *doctor) checkResult {
		by := d.usedBy(f)
		if by == "" {
			return skip("%s: nothing in the config uses it (no role holds %s)", f.api, strings.Join(f.perms, ", "))
		}
		if r, ok := d.needToken(); !ok {
			return r
		}
		r, err := f.probe(ctx, d)
		switch {
		case err != nil && wecom.IsCode(err, wecom.CodeAPIForbidden):
			return fail("add the app to "+f.where, "%s: the app is not authorised (48002); used by %s", f.api, by)
		case err != nil:
			return wecomFailure(err, f.where, f.api)
		case r.status != statusOK || r.detail != "":
			return r
		}
		return pass("%s answers; used by %s", f.api, by)
	}
}

// memberRef is a member reference in the config and the key it is under.
type memberRef struct{ key, value string }

// memberRefs lists every member reference (userid, tag:NAME, dept:ID) the config names: admins, roles,
// approvers and alert teams.
func (d *doctor) memberRefs() []memberRef {
	c := d.cfg
	var out []memberRef
	add := func(key string, vs []string) {
		for _, v := range vs {
			out = append(out, memberRef{key, v})
		}
	}
	add("access.admins", c.Access.Admins)
	for _, name := range sortedKeys(c.Access.Roles) {
		add("access.roles."+name+".members", c.Access.Roles[name].Members)
	}
	add("approvals.approvers", c.Approvals.Approvers)
	for _, typ := range sortedKeys(c.Approvals.ByType) {
		add("approvals.by_type."+typ, c.Approvals.ByType[typ])
	}
	for _, name := range sortedKeys(c.Alerts.Teams) {
		add("alerts.teams."+name+".members", c.Alerts.Teams[name].Members)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// namedUsers are the plain userids among memberRefs, each once.
func (d *doctor) namedUsers() []memberRef {
	var out []memberRef
	seen := map[string]bool{}
	for _, r := range d.memberRefs() {
		if strings.Contains(r.value, ":") || seen[access.UserKey(r.value)] {
			continue
		}
		seen[access.UserKey(r.value)] = true
		out = append(out, r)
	}
	return out
}

// checkVisibility reads the app's visibility (agent/get) and checks that it covers every userid the config
// names.
func checkVisibility(ctx context.Context, d *doctor) checkResult {
	if r, ok := d.needToken(); !ok {
		return r
	}
	a, err := d.getAgent(ctx)
	if err != nil {
		return wecomFailure(err, "", "agent/get failed")
	}
	if a.Close == 1 {
		return fail("enable the app again: 应用管理 → the app → 启用", "the app is disabled (停用)")
	}
	users := d.namedUsers()
	if len(users) == 0 {
		return skip("the config names no userid (only tags and departments, checked below)")
	}
	direct := map[string]bool{}
	for _, u := range a.AllowUsers() {
		direct[access.UserKey(u)] = true
	}
	// Departments and tags: expand only when a userid is not named directly.
	var depts map[int]bool
	var tagUsers map[string]bool
	covered := func(ctx context.Context, u string) (bool, error) {
		if direct[access.UserKey(u)] {
			return true, nil
		}
		if len(a.AllowParties()) == 0 && len(a.AllowTagIDs()) == 0 {
			return false, nil
		}
		if depts == nil {
			var err error
			if depts, tagUsers, err = d.expandVisibility(ctx, a); err != nil {
				return false, err
			}
		}
		if tagUsers[access.UserKey(u)] {
			return true, nil
		}
		m, err := d.client.User.Get(ctx, u)
		if wecom.IsCode(err, wecom.CodeNoPrivilege) || wecom.IsCode(err, wecom.CodeUserNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(m.Department, func(id int) bool { return depts[id] }), nil
	}
	var outside []string
	for _, u := range users {
		in, err := covered(ctx, u.value)
		if err != nil {
			return wecomFailure(err, "", "cannot resolve the visibility")
		}
		if !in {
			outside = append(outside, fmt.Sprintf("%s (%s)", u.value, u.key))
		}
	}
	if len(outside) > 0 {
		return fail(fixVisib, "outside the app's visibility (可见范围): %s", strings.Join(outside, ", "))
	}
	return pass("the app's visibility covers the %d userid(s) the config names", len(users))
}

// expandVisibility resolves the departments (with everything below them) and tags of the visibility.
func (d *doctor) expandVisibility(ctx context.Context, a *wecom.Agent) (map[int]bool, map[string]bool, error) {
	all, err := d.client.Department.List(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	parties := slices.Clone(a.AllowParties())
	users := map[string]bool{}
	for _, id := range a.AllowTagIDs() {
		t, err := d.client.Tag.Get(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		for _, u := range t.UserList {
			users[access.UserKey(u.UserID)] = true
		}
		parties = append(parties, t.PartyList...)
	}
	depts := map[int]bool{}
	for _, id := range parties {
		depts[id] = true
	}
	for changed := true; changed; { // add children until nothing changes
		changed = false
		for _, dep := range all {
			if depts[dep.ParentID] && !depts[dep.ID] {
				depts[dep.ID] = true
				changed = true
			}
		}
	}
	return depts, users, nil
}

// checkDirectoryRefs checks that every tag:NAME and dept:ID the config names exists (tag/list, department/list).
func checkDirectoryRefs(ctx context.Context, d *doctor) checkResult {
	var tags, depts []memberRef
	for _, r := range d.memberRefs() {
		switch kind, _, _ := strings.Cut(r.value, ":"); kind {
		case "tag":
			tags = append(tags, r)
		case "dept":
			depts = append(depts, r)
		}
	}
	if len(tags)+len(depts) == 0 {
		return skip("the config names no tag: or dept: members")
	}
	if r, ok := d.needToken(); !ok {
		return r
	}
	var missing []string
	if len(tags) > 0 {
		list, err := d.client.Tag.List(ctx)
		if err != nil {
			return wecomFailure(err, "", "tag/list failed")
		}
		for _, r := range tags {
			name := strings.TrimPrefix(r.value, "tag:")
			if !slices.ContainsFunc(list, func(t wecom.Tag) bool { return t.TagName == name }) {
				missing = append(missing, fmt.Sprintf("%s (%s): no such tag", r.value, r.key))
			}
		}
	}
	if len(depts) > 0 {
		list, err := d.client.Department.List(ctx, 0)
		if err != nil {
			return wecomFailure(err, "", "department/list failed")
		}
		for _, r := range depts {
			id, err := strconv.Atoi(strings.TrimPrefix(r.value, "dept:"))
			if err != nil || !slices.ContainsFunc(list, func(dep wecom.Department) bool { return dep.ID == id }) {
				missing = append(missing, fmt.Sprintf("%s (%s): no such department the app can see", r.value, r.key))
			}
		}
	}
	if len(missing) > 0 {
		return fail("create the tag in 通讯录 → 标签 (the name must match exactly), use the department's id from "+
			"通讯录 (it must be inside the app's 可见范围), or correct the config key",
			"%s", strings.Join(missing, "; "))
	}
	return pass("the %d tag and %d department references in the config exist", len(tags), len(depts))
}

// approvalPage is the approval page's address template, as the bot computes it, or "".
func approvalPage(c *config.Config) string {
	if c.Approvals.URL != "" {
		return c.Approvals.URL
	}
	u, err := url.Parse(c.Callback.PublicURL)
	if err != nil || c.Callback.PublicURL == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/approvals/{apply_id}"
}

// checkApprovals checks the approval page: https, the app's trusted domain, and that it answers like the
// bot's page (a redirect to WeCom's sign-in).
func checkApprovals(ctx context.Context, d *doctor) checkResult {
	c := d.cfg
	if len(c.Approvals.Approvers) == 0 && len(c.Approvals.ByType) == 0 {
		return skip("no approvers configured (approvals.approvers)")
	}
	page := approvalPage(c)
	u, err := url.Parse(strings.ReplaceAll(page, "{apply_id}", "doctor"))
	if err != nil || page == "" {
		return fail("set callback.public_url to the callback URL as WeCom reaches it (https://your.host/wecom/callback)",
			"no approval page address")
	}
	key := "callback.public_url"
	if c.Approvals.URL != "" {
		key = "approvals.url"
	}
	if u.Scheme != "https" {
		return fail("serve the bot behind TLS and set "+key+" to its https:// address; approvers open the page inside "+
			"WeCom, over the internet", "the approval page %s is not https", page)
	}
	domain := "its host is the app's 可信域名"
	if _, ok := d.needToken(); ok {
		a, err := d.getAgent(ctx)
		switch {
		case err != nil:
			return wecomFailure(err, "", "agent/get failed")
		case !strings.EqualFold(a.RedirectDomain, u.Hostname()):
			return fail("set 应用管理 → the app → 网页授权及JS-SDK → 可信域名 to "+u.Hostname()+", or "+key+" to that domain",
				"the approval page's host %s is not the app's trusted domain (可信域名 %q): WeCom's sign-in will refuse to "+
					"return there", u.Hostname(), a.RedirectDomain)
		}
	} else {
		domain = "the 可信域名 was not compared: no access token"
	}
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return fail("correct "+key, "approval page %s: %v", page, err)
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return fail("make the bot reachable at "+u.Host+" (is `wecombot serve` running, and the reverse proxy passing "+
			"/approvals/ to it?)", "GET %s: %v", u.Redacted(), err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "https://open.weixin.qq.com/connect/oauth2/authorize") {
		return fail("route "+u.Path+" on "+u.Host+" to the bot (`wecombot serve`): approvers' cards link there",
			"GET %s answered HTTP %d, not the bot's approval page (a redirect to WeCom's sign-in)", u.Redacted(), resp.StatusCode)
	}
	return pass("the approval page %s answers (redirects to WeCom's sign-in); %s", page, domain)
}

// checkAlertChats checks that every alert chat exists and was created by this app (appchat/get; 86008 otherwise).
func checkAlertChats(ctx context.Context, d *doctor) checkResult {
	var refs []memberRef
	for _, name := range sortedKeys(d.cfg.Alerts.Teams) {
		if chat := d.cfg.Alerts.Teams[name].Chat; chat != "" {
			refs = append(refs, memberRef{"alerts.teams." + name + ".chat", chat})
		}
	}
	if len(refs) == 0 {
		return skip("no alert team names a chat")
	}
	if r, ok := d.needToken(); !ok {
		return r
	}
	var bad []string
	for _, r := range refs {
		_, err := d.client.AppChat.Get(ctx, r.value)
		switch {
		case err == nil:
		case wecom.IsCode(err, wecom.CodeChatNotYours):
			bad = append(bad, fmt.Sprintf("%s (%s) was not created by this app", r.value, r.key))
		case wecom.IsCode(err, 86001):
			bad = append(bad, fmt.Sprintf("%s (%s): no such chat", r.value, r.key))
		default:
			return wecomFailure(err, "", "appchat/get "+r.value)
		}
	}
	if len(bad) > 0 {
		return fail("an app can post only to group chats it created: create one with this app (appchat/create, "+
			"2 or more members) and put its chatid in the key", "%s", strings.Join(bad, "; "))
	}
	return pass("the %d alert chat(s) exist and were created by this app", len(refs))
}

// checkCallback checks the callback settings' shapes (WeCom's 设置API接收 accepts a Token of 3 to 32 letters
// or digits and a 43-character EncodingAESKey) and that public_url ends with callback.path.
func checkCallback(_ context.Context, d *doctor) checkResult {
	c := d.cfg.Callback
	const where = "应用管理 → the app → 接收消息 → 设置API接收"
	if n := len(c.Token); n < 3 || n > 32 || !alnum(c.Token) {
		return fail("use a Token of 3 to 32 letters or digits (「随机获取」 in "+where+") and the same in callback.token",
			"callback.token has %d characters; WeCom takes 3 to 32 letters or digits", n)
	}
	if _, err := wecom.NewCrypter(c.Token, c.EncodingAESKey, d.cfg.WeCom.CorpID); err != nil {
		return fail("copy the EncodingAESKey from "+where+" into callback.encoding_aes_key", "%v", err)
	}
	if c.PublicURL == "" {
		return pass("token and EncodingAESKey are well formed (callback.public_url not set, so the URL is not compared)")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || !strings.HasSuffix(u.Path, c.Path) {
		return fail("the URL in "+where+" must reach the bot's callback.path: set callback.public_url to that URL "+
			"and make its path end with callback.path", "callback.public_url %s does not end with callback.path %s", c.PublicURL, c.Path)
	}
	return pass("token and EncodingAESKey are well formed; %s ends with callback.path", c.PublicURL)
}

func alnum(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// maxClockSkew is the offset from WeCom's clock doctor accepts. Callbacks are refused beyond
// callback.max_skew, and tokens are refreshed by the local clock.
const maxClockSkew = 30 * time.Second

// checkClock compares the local clock with the Date header of WeCom's answer to an unauthenticated request
// (no credentials are sent; WeCom answers 41001).
func checkClock(ctx context.Context, d *doctor) checkResult {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(d.cfg.WeCom.APIBase, "/")+"/cgi-bin/getcallbackip", nil)
	if err != nil {
		return skip("cannot build a request to wecom.api_base: %v", err)
	}
	before := d.now()
	resp, err := d.http.Do(req)
	after := d.now()
	if err != nil {
		return skip("WeCom did not answer (%v), so its clock is unknown", redactErr(err))
	}
	resp.Body.Close()
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return skip("WeCom's answer has no Date header to compare with")
	}
	// Date has one-second resolution and was stamped somewhere between before and after.
	mid := before.Add(after.Sub(before) / 2)
	skew := mid.Sub(date.Add(500 * time.Millisecond))
	slack := after.Sub(before)/2 + time.Second
	if abs(skew) > maxClockSkew+slack {
		return fail(fixClock, "this server's clock is %s %s WeCom's; callbacks are refused beyond callback.max_skew (%s) "+
			"and tokens are refreshed by this clock", abs(skew).Round(time.Second), aheadBehind(skew), d.cfg.Callback.MaxSkew)
	}
	return pass("this server's clock is within %s of WeCom's", (abs(skew) + slack).Round(time.Second))
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func aheadBehind(d time.Duration) string {
	if d > 0 {
		return "ahead of"
	}
	return "behind"
}

// redactErr drops a URL's query from a transport error, in case one ever carries a credential.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// checkDatabase opens the database as the bot does (db.Open refuses files other users can read) and takes a
// write transaction.
func checkDatabase(ctx context.Context, d *doctor) checkResult {
	path := d.cfg.Store.Path
	dbh, err := db.Open(path)
	if err != nil {
		return fail("fix store.path or the file's owner and mode (the bot's user only: chmod 600)", "%v", err)
	}
	if err := dbh.Ping(ctx); err != nil {
		dbh.Close()
		return fail("make "+path+" and its directory writable by the bot's user (and only by it)", "database %s takes no write: %v", path, err)
	}
	d.db = dbh
	return pass("%s is writable and private to this user", path)
}

// checkAuditKey warns without audit.key and fails when the key does not fit the trail already written.
func checkAuditKey(ctx context.Context, d *doctor) checkResult {
	key := d.cfg.Audit.Key
	if d.db != nil {
		if err := d.db.SetAuditKey([]byte(key)); err != nil {
			return fail(fixAudit, "audit.key: %v", err)
		}
		if err := d.db.CheckAuditKey(ctx); err != nil {
			return fail("restore the audit.key the trail was written with (the bot will not start otherwise)", "audit.key: %v", err)
		}
	}
	if key == "" {
		return checkResult{status: statusWarn, detail: "audit.key is not set: the audit trail is a plain hash chain", fix: fixAudit}
	}
	if d.db == nil {
		return pass("audit.key is set (not compared with the trail: the database did not open)")
	}
	return pass("audit.key is set and fits the audit trail")
}
