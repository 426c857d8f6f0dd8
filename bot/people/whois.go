package people

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// Ids (DOC/95884 自建应用与第三方应用的对接, DOC/98729 tmp_external_userid): /whois recognises an id by its shape
// and shows whom it names; /convert converts ids in bulk.
//
// Shapes: a userid is up to 64 of [A-Za-z0-9_.@-]; an external_userid starts with "wm" (a WeChat customer) or
// "wo" (a WeCom one) and is long; open_userids (third-party and 代开发 apps) also start with "wo" in practice;
// tmp_external_userids handed out by meetings, forms and docs start with "ou". Shapes overlap, so /whois tries
// the likely kinds in turn and says which one matched.

// whoisID is any id /whois and /convert take.
var whoisID = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,128}$`)

// whoisMinLong is the shortest generated id (external, open or tmp): shorter words are read as userids only.
const whoisMinLong = 16

// maxWhoisFollowers is how many followers of a customer /whois lists.
const maxWhoisFollowers = 10

type idKind int

const (
	kindMember idKind = iota
	kindExternal
	kindOpen
	kindTmp
)

func (k idKind) String() string {
	return [...]string{"userid", "external_userid", "open_userid", "tmp_external_userid"}[k]
}

// whoisKinds lists the kinds id may be, most likely first. agent and typ say whether --agent (only open_userids
// need one) and --type or --user-type (only tmp ids take them) were given.
func whoisKinds(id string, agent, typ bool) []idKind {
	long := len(id) >= whoisMinLong
	var out []idKind
	if typ || long && strings.HasPrefix(id, "ou") {
		out = append(out, kindTmp)
	}
	if agent {
		out = append(out, kindOpen)
	}
	if long && (strings.HasPrefix(id, "wm") || strings.HasPrefix(id, "wo")) {
		out = append(out, kindExternal)
	}
	if commands.UserIDRE.MatchString(id) {
		out = append(out, kindMember)
	}
	return out
}

// tmpBusinessTypes and tmpUserTypes map the flags of tmp ids to convert_tmp_external_userid's numbers.
var tmpBusinessTypes = map[string]int{"meeting": wecom.TmpIDMeeting, "form": wecom.TmpIDForm, "doc": wecom.TmpIDDocs}

var tmpUserTypes = map[string]int{"customer": wecom.TmpIDCustomer, "partner": wecom.TmpIDCorpInterconnect,
	"upstream": wecom.TmpIDUpDownstream, "circle": wecom.TmpIDInterconnected}

func tmpBusinessName(p *i18n.Printer, bt int) string {
	switch bt {
	case wecom.TmpIDMeeting:
		return enumText(p, "a meeting (会议)")
	case wecom.TmpIDForm:
		return enumText(p, "a form (收集表)")
	case wecom.TmpIDDocs:
		return enumText(p, "a doc (智能表/文档)")
	}
	return p.Sprintf("business type %d", bt)
}

func tmpUserName(p *i18n.Printer, ut int) string {
	switch ut {
	case wecom.TmpIDCustomer:
		return enumText(p, "customer (客户)")
	case wecom.TmpIDCorpInterconnect:
		return enumText(p, "connected corp (企业互联)")
	case wecom.TmpIDUpDownstream:
		return enumText(p, "upstream/downstream partner (上下游)")
	case wecom.TmpIDInterconnected:
		return enumText(p, "interconnected corp (互联企业/圈子)")
	}
	return p.Sprintf("user type %d", ut)
}

// flagTypes returns the business and user types to try: the flags' values, or every one.
func flagTypes(inv *commands.Invocation) (bts, uts []int) {
	if v := inv.Flag("type"); v != "" {
		bts = []int{tmpBusinessTypes[v]}
	} else {
		bts = []int{wecom.TmpIDMeeting, wecom.TmpIDForm, wecom.TmpIDDocs}
	}
	if v := inv.Flag("user-type"); v != "" {
		uts = []int{tmpUserTypes[v]}
	} else {
		uts = []int{wecom.TmpIDCustomer, wecom.TmpIDCorpInterconnect, wecom.TmpIDUpDownstream, wecom.TmpIDInterconnected}
	}
	return bts, uts
}

func (k *desk) whoisCommands() []*commands.Command {
	agentFlag := commands.Flag{Name: "agent", Kind: commands.Int, Min: 1, Max: 1<<31 - 1,
		Help: "agentid of the third-party or 代开发 app that obtained the id (source_agentid)"}
	typeFlag := commands.Flag{Name: "type", Values: []string{"meeting", "form", "doc"},
		Help: "for a tmp_external_userid: the product that handed it out"}
	// /convert open and service-external cannot work without the app; /convert tmp without the product.
	needsAgent, needsType := agentFlag, typeFlag
	needsAgent.Required, needsType.Required = true, true
	userTypeFlag := commands.Flag{Name: "user-type", Values: []string{"customer", "partner", "upstream", "circle"},
		Help: "for a tmp_external_userid: who it stands for (default: try each)"}
	return []*commands.Command{
		{
			Path:    "whois",
			Aliases: []string{"查人"},
			Args: []commands.Arg{{Name: "id", Check: checkIDOrName, Help: "a userid, external_userid, open_userid or tmp_external_userid, or a member's name",
				Prompt: "Which id (or name)?"}},
			Flags:   []commands.Flag{agentFlag, typeFlag, userTypeFlag},
			Summary: "Tell whom an id names: a member (userid), a customer (external_userid), an open_userid or a tmp_external_userid",
			Help:    "The kind of id is read from its shape; when it could be several, each is tried in turn and the answer says which matched. An open_userid needs --agent. A member is shown with a short roster summary.",
			Examples: []string{"/whois lisi", "/whois wmAAAchenkehu0000000000000001", "/whois woAAAlisiOPENxxxx --agent 2000001",
				"/whois ouTMPmeetChen000000000000001 --type meeting"},
			Perm:    "whois.read",
			Audited: true,
			APIs: []string{"GET user/get", "GET department/get", "GET externalcontact/get", "POST batch/openuserid_to_userid",
				"POST idconvert/convert_tmp_external_userid", "GET hr/get_fields", "POST hr/get_staff_info"},
			Run: k.whois,
		},
		{
			Path:    "convert open",
			Aliases: []string{"转换 open"},
			Args: []commands.Arg{{Name: "open_userid", Many: true, Match: whoisID, Help: "open_userids, separated by spaces (at most 100)",
				Prompt: "Which open_userids? (separated by spaces)"}},
			Flags:    []commands.Flag{needsAgent},
			Summary:  "Convert open_userids of a third-party or 代开发 app into userids",
			Examples: []string{"/convert open woAAAlisiOPENxxxx --agent 2000001"},
			Perm:     "whois.read",
			Audited:  true,
			APIs:     []string{"POST batch/openuserid_to_userid"},
			Run:      k.convertOpen,
		},
		{
			Path:    "convert tmp",
			Aliases: []string{"转换 tmp"},
			Args: []commands.Arg{{Name: "tmp_external_userid", Many: true, Match: whoisID, Help: "tmp_external_userids, separated by spaces (at most 100)",
				Prompt: "Which tmp_external_userids? (separated by spaces)"}},
			Flags:   []commands.Flag{needsType, userTypeFlag},
			Summary: "Convert tmp_external_userids from meetings, forms or docs into external_userids or members of other corps",
			Help:    "A tmp id converts only with the product that handed it out (--type).",
			Examples: []string{"/convert tmp ouTMPmeetChen000000000000001 --type meeting",
				"/convert tmp ouTMPdocChain00000000000005 --type doc --user-type upstream"},
			Perm:    "whois.read",
			Audited: true,
			APIs:    []string{"POST idconvert/convert_tmp_external_userid"},
			Run:     k.convertTmp,
		},
		{
			Path:    "convert service-external",
			Aliases: []string{"转换 service-external"},
			Args: []commands.Arg{{Name: "external_userid", Match: whoisID, Help: "the external_userid a third-party or 代开发 app obtained",
				Prompt: "Which external_userid?"}},
			Flags:    []commands.Flag{needsAgent},
			Summary:  "Convert a third-party or 代开发 app's external_userid into this app's",
			Examples: []string{"/convert service-external wmSVCchenkehu000000000000001 --agent 2000001"},
			Perm:     "whois.read",
			Audited:  true,
			APIs:     []string{"POST externalcontact/from_service_external_userid", "GET externalcontact/get"},
			Run:      k.convertServiceExternal,
		},
	}
}

// agentError explains 40056 for a source_agentid.
func agentError(err error, agent int) error {
	if wecom.IsCode(err, wecom.CodeInvalidAgentID) {
		return bot.Wrap(bot.EINVALID, err, "WeCom does not know agent %d as a third-party or 代开发 app of this corp (errcode 40056): check --agent.", agent)
	}
	return err
}

// whoisResult is what one reading of an id found: md when it matched, else why not.
type whoisResult struct {
	md   string
	ok   bool
	note string
}

func (k *desk) whois(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	d, p := k.Deps, inv.P
	id := inv.Arg("id")
	if !whoisID.MatchString(id) { // a name: the member it names
		u, err := k.member(ctx, id)
		if err != nil {
			return nil, err
		}
		id = u
	}
	agent := inv.FlagInt("agent")
	kinds := whoisKinds(id, inv.Has("agent"), inv.Has("type") || inv.Has("user-type"))
	if len(kinds) == 0 {
		return nil, bot.Errorf(bot.EINVALID, "%s does not look like a userid, external_userid, open_userid or tmp_external_userid. Usage: %s", bot.Markdown(replies.Code(id)), inv.Command.Usage())
	}
	sep := "; "
	if p.Zh() {
		sep = "；"
	}
	var notes []string
	for _, kind := range kinds {
		var r whoisResult
		var err error
		switch kind {
		case kindMember:
			r, err = k.whoisMember(ctx, p, id)
		case kindExternal:
			r, err = whoisExternal(ctx, p, d, id)
		case kindOpen:
			r, err = k.whoisOpen(ctx, p, id, agent)
		case kindTmp:
			bts, uts := flagTypes(inv)
			r, err = k.whoisTmp(ctx, p, id, bts, uts)
		}
		if err != nil {
			return nil, err
		}
		if r.ok {
			read := p.Sprintf("Read as %s.", kind.String())
			if len(notes) > 0 {
				read = p.Sprintf("Read as %s (%s).", kind.String(), strings.Join(notes, sep))
			}
			return &replies.Reply{Markdown: r.md + "\n\n" + replies.Font(replies.Comment, read)}, nil
		}
		notes = append(notes, r.note)
	}
	if !inv.Has("agent") && len(id) >= whoisMinLong && strings.HasPrefix(id, "wo") {
		return nil, bot.Errorf(bot.ENOTFOUND, "%s matched nothing: %s. If it is an open_userid, add --agent SOURCE_AGENTID: the agentid of the third-party or 代开发 app that obtained it.", bot.Markdown(replies.Code(id)), strings.Join(notes, sep))
	}
	return nil, bot.Errorf(bot.ENOTFOUND, "%s matched nothing: %s.", bot.Markdown(replies.Code(id)), strings.Join(notes, sep))
}

// whoisMember reads a member by userid.
func (k *desk) whoisMember(ctx context.Context, p *i18n.Printer, userID string) (whoisResult, error) {
	u, err := k.Client.User.Get(ctx, userID)
	if wecom.IsCode(err, wecom.CodeUserNotFound) {
		return whoisResult{note: p.T("no member has that userid (60111)")}, nil
	}
	if err != nil {
		return whoisResult{}, err
	}
	return whoisResult{md: k.memberText(ctx, p, u, ""), ok: true}, nil
}

// memberText shows a member: name, position, departments, status and a roster summary. how says how the id
// given led to the member, if it was not the userid.
func (k *desk) memberText(ctx context.Context, p *i18n.Printer, u *wecom.User, how string) string {
	b := replies.NewBuilder(p)
	b.Heading("%s — member", replies.Escape(u.Name))
	if how != "" {
		b.Item("%s", how)
	}
	b.Item("userid: %s", replies.Code(u.UserID))
	if u.Alias != "" {
		b.Item("alias: %s", replies.Escape(u.Alias))
	}
	if u.Position != "" {
		b.Item("position: %s", replies.Escape(u.Position))
	}
	if len(u.Department) > 0 {
		var depts []string
		for i, id := range u.Department {
			if i == 5 {
				depts = append(depts, p.Sprintf("and %d more", len(u.Department)-5))
				break
			}
			name := p.Sprintf("department %d", id)
			if dep, err := k.Client.Department.Get(ctx, id); err == nil && dep.Name != "" {
				name = replies.Escape(dep.Name)
			}
			if i < len(u.IsLeaderInDept) && u.IsLeaderInDept[i] == 1 {
				name = p.Sprintf("%s (leader)", name)
			}
			depts = append(depts, name)
		}
		b.Item("departments: %s", strings.Join(depts, listSep(p)))
	}
	if u.Status != 0 {
		b.Item("status: %s", replies.Escape(enumText(p, u.Status.String())))
	}
	summary, err := k.staffSummary(ctx, p, u.UserID)
	switch {
	case wecom.IsCode(err, wecom.CodeAPIForbidden):
		b.Item("roster: %s", replies.Font(replies.Comment,
			p.T("not available — roster access is not configured: add this app to 人事助手's 「可调用接口的应用」 (WeCom answered 48002)")))
	case err != nil:
		b.Item("roster: %s", replies.Font(replies.Comment, p.Sprintf("could not be read: %s", replies.Describe(ctx, err))))
	case summary != "":
		b.Item("roster: %s", summary)
	}
	return b.String()
}

// whoisExternal reads a customer by external_userid.
func whoisExternal(ctx context.Context, p *i18n.Printer, d Deps, id string) (whoisResult, error) {
	c, err := d.Client.ExternalContact.Get(ctx, id)
	switch {
	case wecom.IsCode(err, 40096):
		return whoisResult{note: p.T("not an external contact of this corp (40096)")}, nil
	case wecom.IsCode(err, 84061):
		b := replies.NewBuilder(p)
		b.Heading("External contact")
		b.Para("%s is a customer (external_userid), but none of the members who added it is inside this app's visibility, so WeCom shows nothing more (errcode 84061).", replies.Code(id))
		return whoisResult{ok: true, md: b.String()}, nil
	case err != nil:
		return whoisResult{}, err
	}
	return whoisResult{ok: true, md: externalText(p, c, "", d)}, nil
}

// externalText shows a customer and the members who added it.
func externalText(p *i18n.Printer, c *wecom.ExternalContactDetail, how string, d Deps) string {
	e := c.ExternalContact
	b := replies.NewBuilder(p)
	b.Heading("%s — external contact", replies.Escape(e.Name))
	if how != "" {
		b.Item("%s", how)
	}
	b.Item("external_userid: %s", replies.Code(e.ExternalUserID))
	if e.Type != 0 {
		b.Item("type: %s", replies.Escape(enumText(p, e.Type.String())))
	}
	if e.CorpName != "" {
		if e.CorpFullName != "" && e.CorpFullName != e.CorpName {
			b.Item("corp: %s (%s)", replies.Escape(e.CorpName), replies.Escape(e.CorpFullName))
		} else {
			b.Item("corp: %s", replies.Escape(e.CorpName))
		}
	}
	if e.Position != "" {
		b.Item("position: %s", replies.Escape(e.Position))
	}
	if e.Gender != wecom.GenderUnspecified {
		b.Item("gender: %s", replies.Escape(enumText(p, e.Gender.String())))
	}
	added := p.Sprintf("added by %s", p.Plural(len(c.FollowUser), "member", "members"))
	if len(c.FollowUser) > 0 {
		added = p.Sprintf("added by %s:", p.Plural(len(c.FollowUser), "member", "members"))
	}
	var lines []string
	for i, f := range c.FollowUser {
		if i == maxWhoisFollowers {
			lines = append(lines, "  - "+p.Sprintf("and %d more", len(c.FollowUser)-maxWhoisFollowers))
			break
		}
		line := "  - " + replies.Code(f.UserID)
		if f.Remark != "" {
			line += p.Sprintf(", remark %s", replies.Escape(f.Remark))
		}
		if f.CreateTime > 0 {
			line += p.Sprintf(", added %s", replies.When(f.CreateTime, d.loc()))
		}
		lines = append(lines, line)
	}
	if len(lines) > 0 {
		added += "\n" + strings.Join(lines, "\n")
	}
	b.Item("%s", added)
	return b.String()
}

// whoisOpen converts an open_userid obtained by a third-party or 代开发 app, then shows the member.
func (k *desk) whoisOpen(ctx context.Context, p *i18n.Printer, id string, agent int) (whoisResult, error) {
	res, err := k.Client.Batch.OpenUserIDToUserID(ctx, []string{id}, agent)
	if err != nil {
		return whoisResult{}, agentError(err, agent)
	}
	for _, m := range res.UserIDs {
		if m.OpenUserID != id {
			continue
		}
		how := p.Sprintf("open_userid %s of agent %d is userid %s", replies.Code(id), agent, replies.Code(m.UserID))
		u, err := k.Client.User.Get(ctx, m.UserID)
		if err != nil {
			b := replies.NewBuilder(p)
			b.Heading("Member").Item("%s", how).Item("the member could not be read: %s", replies.Describe(ctx, err))
			return whoisResult{ok: true, md: b.String()}, nil
		}
		return whoisResult{ok: true, md: k.memberText(ctx, p, u, how)}, nil
	}
	return whoisResult{note: p.Sprintf("not an open_userid that agent %d obtained, or its member is outside this app's visibility", agent)}, nil
}

// whoisTmp converts a tmp_external_userid, trying each business and user type asked for, then shows whom it
// stands for. A user type the app may not convert (48002: customers need 客户联系 permission) is skipped; if no
// conversion was allowed at all, the 48002 is the answer.
func (k *desk) whoisTmp(ctx context.Context, p *i18n.Printer, id string, bts, uts []int) (whoisResult, error) {
	var denied error
	allowed := false
	for _, bt := range bts {
		for _, ut := range uts {
			res, err := k.Client.IDConvert.ConvertTmpExternalUserIDs(ctx, bt, ut, []string{id})
			if wecom.IsCode(err, wecom.CodeAPIForbidden) {
				denied = err
				continue
			}
			if err != nil {
				return whoisResult{}, err
			}
			allowed = true
			for _, r := range res.Results {
				if r.TmpExternalUserID == id {
					return whoisResult{ok: true, md: k.tmpText(ctx, p, id, bt, ut, r)}, nil
				}
			}
		}
	}
	if !allowed && denied != nil {
		return whoisResult{}, denied
	}
	note := p.T("not a tmp_external_userid this app obtained")
	if len(bts) == 1 {
		note = p.Sprintf("not a tmp_external_userid this app obtained from %s", tmpBusinessName(p, bts[0]))
	}
	if denied != nil {
		note = p.Sprintf("%s (customer ids were not tried: WeCom answered 48002)", note)
	}
	return whoisResult{note: note}, nil
}

// tmpText shows whom a converted tmp id stands for.
func (k *desk) tmpText(ctx context.Context, p *i18n.Printer, id string, bt, ut int, r wecom.TmpIDResult) string {
	how := p.Sprintf("tmp_external_userid %s from %s, user type %s", replies.Code(id), tmpBusinessName(p, bt), tmpUserName(p, ut))
	if r.ExternalUserID != "" {
		c, err := k.Client.ExternalContact.Get(ctx, r.ExternalUserID)
		if err != nil {
			b := replies.NewBuilder(p)
			b.Heading("External contact").Item("%s", how).Item("external_userid: %s", replies.Code(r.ExternalUserID)).
				Item("the contact could not be read: %s", replies.Describe(ctx, err))
			return b.String()
		}
		return externalText(p, c, how, k.Deps)
	}
	if r.CorpID == k.Client.CorpID() {
		if u, err := k.Client.User.Get(ctx, r.UserID); err == nil {
			return k.memberText(ctx, p, u, how)
		}
	}
	b := replies.NewBuilder(p)
	b.Heading("Member of another corp").Item("%s", how).Item("corpid: %s", replies.Code(r.CorpID)).
		Item("userid: %s", replies.Code(r.UserID)).Para("This app cannot read members of other corps.")
	return b.String()
}

func (k *desk) convertOpen(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	d, p := k.Deps, inv.P
	agent := inv.FlagInt("agent") // required by the declaration
	ids := inv.List("open_userid")
	res, err := d.Client.Batch.OpenUserIDToUserID(ctx, ids, agent)
	if err != nil {
		return nil, agentError(err, agent)
	}
	found := map[string]string{}
	for _, m := range res.UserIDs {
		found[m.OpenUserID] = m.UserID
	}
	b := replies.NewBuilder(p)
	b.Heading("open_userid → userid (agent %d)", agent)
	converted, invalid := 0, 0
	for _, id := range ids {
		switch u, ok := found[id]; {
		case ok:
			converted++
			b.Item("%s → %s", replies.Code(id), replies.Code(u))
		case slices.Contains(res.InvalidOpenUserIDs, id):
			invalid++
			b.Item("%s — %s: agent %d did not obtain it, or its member is outside this app's visibility",
				replies.Code(id), replies.Font(replies.Warning, p.T("invalid")), agent)
		default:
			invalid++
			b.Item("%s — %s", replies.Code(id), replies.Font(replies.Warning, p.T("no answer from WeCom")))
		}
	}
	b.Para("%s: %d converted, %d not.", p.Plural(len(ids), "id", "ids"), converted, invalid)
	return b.Reply(), nil
}

func (k *desk) convertTmp(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	d, p := k.Deps, inv.P
	bts, uts := flagTypes(inv) // --type is required by the declaration
	bt := bts[0]
	ids := inv.List("tmp_external_userid") // the parser removed repeats
	remaining := ids
	found := map[string]wecom.TmpIDResult{}
	userType := map[string]int{}
	var notes []string
	var denied error
	allowed := false
	for _, ut := range uts {
		if len(remaining) == 0 {
			break
		}
		res, err := d.Client.IDConvert.ConvertTmpExternalUserIDs(ctx, bt, ut, remaining)
		if wecom.IsCode(err, wecom.CodeAPIForbidden) && len(uts) > 1 {
			denied = err
			notes = append(notes, p.Sprintf("Ids of user type %s were not tried: WeCom answered 48002 (converting customers needs this app in 客户联系's 「可调用接口的应用」).", tmpUserName(p, ut)))
			continue
		}
		if err != nil {
			return nil, err
		}
		allowed = true
		for _, r := range res.Results {
			if slices.Contains(remaining, r.TmpExternalUserID) {
				found[r.TmpExternalUserID] = r
				userType[r.TmpExternalUserID] = ut
			}
		}
		var left []string
		for _, id := range remaining {
			if _, ok := found[id]; !ok {
				left = append(left, id)
			}
		}
		remaining = left
	}
	if !allowed && denied != nil {
		return nil, denied
	}
	b := replies.NewBuilder(p)
	b.Heading("tmp_external_userid from %s", tmpBusinessName(p, bt))
	converted := 0
	for _, id := range ids {
		r, ok := found[id]
		switch {
		case ok && r.ExternalUserID != "":
			converted++
			b.Item("%s → external_userid %s — %s", replies.Code(id), replies.Code(r.ExternalUserID), tmpUserName(p, userType[id]))
		case ok:
			converted++
			b.Item("%s → corp %s, userid %s — %s", replies.Code(id), replies.Code(r.CorpID), replies.Code(r.UserID),
				tmpUserName(p, userType[id]))
		default:
			why := p.Sprintf("not obtained by this app from %s", tmpBusinessName(p, bt))
			if len(uts) == 1 {
				why = p.Sprintf("not obtained by this app from %s with user type %s", tmpBusinessName(p, bt), tmpUserName(p, uts[0]))
			}
			b.Item("%s — %s%s%s", replies.Code(id), replies.Font(replies.Warning, p.T("invalid")), p.Colon(), why)
		}
	}
	b.Para("%s: %d converted, %d not.", p.Plural(len(ids), "id", "ids"), converted, len(ids)-converted)
	for _, n := range notes {
		b.Para("%s", n)
	}
	return b.Reply(), nil
}

func (k *desk) convertServiceExternal(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	d, p := k.Deps, inv.P
	agent := inv.FlagInt("agent") // required by the declaration
	id := inv.Arg("external_userid")
	ext, err := d.Client.ExternalContact.FromServiceExternalUserID(ctx, id, agent)
	if wecom.IsCode(err, 40096) {
		return nil, bot.Wrap(bot.ENOTFOUND, err, "%s is invalid: agent %d did not obtain it, or none of the members who added the customer is visible to both apps (errcode 40096).", bot.Markdown(replies.Code(id)), agent)
	}
	if err != nil {
		return nil, agentError(err, agent)
	}
	b := replies.NewBuilder(p)
	b.Heading("external_userid converted").Item("agent %d's: %s", agent, replies.Code(id))
	// The name only helps the reader; the conversion stands without it.
	if c, err := d.Client.ExternalContact.Get(ctx, ext); err == nil && c.ExternalContact.Name != "" {
		b.Item("this app's: %s (%s)", replies.Code(ext), replies.Escape(c.ExternalContact.Name))
	} else {
		b.Item("this app's: %s", replies.Code(ext))
	}
	b.Para("More: %s", replies.Code("/whois "+ext))
	return b.Reply(), nil
}

// checkIDOrName accepts any id /whois reads, or a member's name.
func checkIDOrName(v string) error {
	if whoisID.MatchString(v) {
		return nil
	}
	if checkUserOrName(v) != nil {
		return fmt.Errorf("%q is not a valid id or name", replies.Truncate(v, 64))
	}
	return nil
}
