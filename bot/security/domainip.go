package security

// /domainip: WeCom's own addresses, for firewall rules. security/get_server_domain_ip (DOC/100079) lists the
// domains and IPs WeCom's clients use; get_api_domain_ip (DOC/92520) the IPs of qyapi.weixin.qq.com, for
// outbound rules; getcallbackip (DOC/98988) the IPs callbacks come from, for inbound rules. Each run compares
// the lists with the last stored snapshot and stores them when they differ; WeCom's security callback
// (change_domain_ip) says when to look again, and its alert compares the same way (DiffDomainIP).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wecombot/wecombot/bot/commands"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// SnapshotDomainIP is the snapshot kind holding DomainIPSnapshot JSON (db.SaveSnapshot).
const SnapshotDomainIP = "domainip"

// DomainIPSnapshot is what WeCom says about its own addresses at one moment.
type DomainIPSnapshot struct {
	Domains     []wecom.ServerDomain `json:"domains"`      // security/get_server_domain_ip domain_list
	IPs         []wecom.ServerIP     `json:"ips"`          // security/get_server_domain_ip ip_list
	APIIPs      []string             `json:"api_ips"`      // get_api_domain_ip: qyapi.weixin.qq.com's addresses
	CallbackIPs []string             `json:"callback_ips"` // getcallbackip: where callbacks come from
}

// FetchDomainIP reads the three APIs into a snapshot. get_api_domain_ip and getcallbackip need no permission;
// security/get_server_domain_ip needs the app in 「我的企业 - 设置 - 域名IP - 可调用API的应用」 (errcode 48002
// otherwise, phrased by the caller).
func FetchDomainIP(ctx context.Context, c *wecom.Client) (*DomainIPSnapshot, error) {
	srv, err := c.Security.GetServerDomainIP(ctx)
	if err != nil {
		return nil, err
	}
	api, err := c.Misc.GetAPIDomainIP(ctx)
	if err != nil {
		return nil, err
	}
	cb, err := c.Misc.GetCallbackIP(ctx)
	if err != nil {
		return nil, err
	}
	return &DomainIPSnapshot{Domains: srv.DomainList, IPs: srv.IPList, APIIPs: api, CallbackIPs: cb}, nil
}

// ListDiff is how one list changed: keys added, removed, and kept with different details (ports, protocol,
// whether WeCom needs it). Each is sorted.
type ListDiff struct {
	Added, Removed, Changed []string
}

// Empty reports whether nothing changed.
func (l ListDiff) Empty() bool { return len(l.Added)+len(l.Removed)+len(l.Changed) == 0 }

// DomainIPDiff is how WeCom's addresses changed between two snapshots.
type DomainIPDiff struct {
	Domains     ListDiff // by domain name
	IPs         ListDiff // security/get_server_domain_ip's ip_list, by address
	APIIPs      ListDiff // get_api_domain_ip
	CallbackIPs ListDiff // getcallbackip
}

// Empty reports whether nothing changed.
func (d DomainIPDiff) Empty() bool {
	return d.Domains.Empty() && d.IPs.Empty() && d.APIIPs.Empty() && d.CallbackIPs.Empty()
}

// DiffDomainIP compares two snapshots. A nil old reports everything in new as added; a nil new everything in
// old as removed. Descriptions are not compared: only what a firewall rule depends on.
func DiffDomainIP(old, new *DomainIPSnapshot) DomainIPDiff {
	if old == nil {
		old = &DomainIPSnapshot{}
	}
	if new == nil {
		new = &DomainIPSnapshot{}
	}
	domains := func(s *DomainIPSnapshot) map[string][]string {
		m := map[string][]string{}
		for _, d := range s.Domains {
			m[d.Domain] = append(m[d.Domain], detail(d.Protocol, d.Port, d.IsNecessary)+" "+d.UniversalDomain)
		}
		return m
	}
	ips := func(s *DomainIPSnapshot) map[string][]string {
		m := map[string][]string{}
		for _, ip := range s.IPs {
			m[ip.IP] = append(m[ip.IP], detail(ip.Protocol, ip.Port, ip.IsNecessary))
		}
		return m
	}
	set := func(list []string) map[string][]string {
		m := map[string][]string{}
		for _, v := range list {
			m[v] = nil
		}
		return m
	}
	return DomainIPDiff{
		Domains:     dipDiff(domains(old), domains(new)),
		IPs:         dipDiff(ips(old), ips(new)),
		APIIPs:      dipDiff(set(old.APIIPs), set(new.APIIPs)),
		CallbackIPs: dipDiff(set(old.CallbackIPs), set(new.CallbackIPs)),
	}
}

// detail is what matters about an entry besides its key, comparable as a string (ports in any order).
func detail(protocol string, ports []int, necessary int) string {
	ps := slices.Clone(ports)
	slices.Sort(ps)
	return fmt.Sprintf("%s %v %d", strings.ToUpper(protocol), ps, necessary)
}

// dipDiff compares keyed entries; an entry's details are a multiset (a domain may be listed once per protocol).
func dipDiff(old, new map[string][]string) ListDiff {
	var d ListDiff
	for k, nv := range new {
		ov, ok := old[k]
		if !ok {
			d.Added = append(d.Added, k)
			continue
		}
		a, b := slices.Clone(ov), slices.Clone(nv)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			d.Changed = append(d.Changed, k)
		}
	}
	for k := range old {
		if _, ok := new[k]; !ok {
			d.Removed = append(d.Removed, k)
		}
	}
	slices.Sort(d.Added)
	slices.Sort(d.Removed)
	slices.Sort(d.Changed)
	return d
}

// Markdown lists the changes in English, one "- added domain `x`" line each. "" when none.
func (d DomainIPDiff) Markdown() string { return d.MarkdownIn(nil) }

// MarkdownIn lists the changes in p's language, for replies and alerts. "" when none.
func (d DomainIPDiff) MarkdownIn(p *i18n.Printer) string {
	var lines []string
	// One whole phrase per kind of entry and change (ids): the word order differs in Chinese.
	add := func(l ListDiff, added, removed, changed string) {
		for _, k := range l.Added {
			lines = append(lines, "- "+p.Sprintf(added, replies.Font(replies.Info, p.T("added")), replies.Code(k)))
		}
		for _, k := range l.Removed {
			lines = append(lines, "- "+p.Sprintf(removed, replies.Font(replies.Warning, p.T("removed")), replies.Code(k)))
		}
		for _, k := range l.Changed {
			lines = append(lines, "- "+p.Sprintf(changed, replies.Font(replies.Comment, p.T("changed")), replies.Code(k)))
		}
	}
	add(d.Domains, i18n.N("%s domain %s"), i18n.N("%s domain %s"), i18n.N("%s domain %s (ports, protocol or necessity)"))
	add(d.IPs, i18n.N("%s IP %s"), i18n.N("%s IP %s"), i18n.N("%s IP %s (ports, protocol or necessity)"))
	add(d.APIIPs, i18n.N("%s API host IP %s"), i18n.N("%s API host IP %s"), i18n.N("%s API host IP %s (ports, protocol or necessity)"))
	add(d.CallbackIPs, i18n.N("%s callback IP %s"), i18n.N("%s callback IP %s"), i18n.N("%s callback IP %s (ports, protocol or necessity)"))
	return strings.Join(lines, "\n")
}

func domainIPCommands(d Deps) []*commands.Command {
	return []*commands.Command{{
		Path:     "domainip",
		Aliases:  []string{"域名ip"},
		Summary:  "Show WeCom's domains and IPs for firewall rules, and what changed since the last look",
		Help:     "Reads WeCom's domain and IP list, its API host's IPs (allow them outbound) and its callback IPs (allow them inbound), compares them with the last stored list, and stores them when they changed.",
		Examples: []string{"/domainip"},
		Perm:     "domainip.read",
		APIs:     []string{"GET security/get_server_domain_ip", "GET get_api_domain_ip", "GET getcallbackip"},
		Run:      d.domainIP,
	}}
}

func (d Deps) domainIP(ctx context.Context, inv *commands.Invocation) (*replies.Reply, error) {
	p := inv.P
	snap, err := FetchDomainIP(ctx, d.Client)
	if err != nil {
		return nil, wecomErr(err)
	}
	var b strings.Builder
	b.WriteString("## " + p.T("WeCom domains and IPs") + "\n\n")
	var notes []string
	if d.DB != nil {
		body, err := json.Marshal(snap)
		if err != nil {
			return nil, err
		}
		oldBody, oldAt, ok, err := d.DB.LatestSnapshot(ctx, SnapshotDomainIP)
		if err != nil {
			return nil, bot.Wrap(bot.EUNAVAILABLE, err, "cannot read the last domain/IP snapshot from the database; try again")
		}
		var old *DomainIPSnapshot
		if ok && json.Unmarshal(oldBody, &old) != nil {
			old, ok = nil, false
			notes = append(notes, p.T("The stored snapshot could not be read, so there is nothing to compare with."))
		}
		since := replies.When(oldAt.Unix(), d.loc())
		switch diff := DiffDomainIP(old, snap); {
		case !ok:
			b.WriteString(p.T("First look: nothing stored to compare with yet; the next /domainip will show what changed.") + "\n\n")
		case diff.Empty():
			b.WriteString(p.Sprintf("%s since %s: WeCom's list is the one stored then.", replies.Font(replies.Info, p.T("No change")), since) + "\n\n")
		default:
			b.WriteString(p.Sprintf("**Changes since the list stored %s:**", since) + "\n" + diff.MarkdownIn(p) + "\n\n")
		}
		// Only a list that differs is stored (as the security alert does), so the kept snapshots are the
		// list's history and "no change since" dates the list WeCom still answers.
		if !ok || !bytes.Equal(oldBody, body) {
			if err := d.DB.SaveSnapshot(ctx, SnapshotDomainIP, body); err != nil {
				notes = append(notes, p.Sprintf("This list could not be stored (%s); the next /domainip compares with the previous one.", p.Error(err)))
			}
		}
	}
	b.WriteString(p.Sprintf("**Domains** (%d):", len(snap.Domains)) + "\n")
	for _, dm := range snap.Domains {
		fmt.Fprintf(&b, "- %s · %s\n", replies.Code(dm.Domain), dipRow(p, dm.Protocol, dm.Port, dm.IsNecessary, dm.Description))
	}
	if len(snap.Domains) == 0 {
		b.WriteString("- " + p.T("none listed") + "\n")
	}
	b.WriteString("\n" + p.Sprintf("**IPs** (%d):", len(snap.IPs)) + "\n")
	for _, ip := range snap.IPs {
		fmt.Fprintf(&b, "- %s · %s\n", replies.Code(ip.IP), dipRow(p, ip.Protocol, ip.Port, ip.IsNecessary, ip.Description))
	}
	if len(snap.IPs) == 0 {
		b.WriteString("- " + p.T("none listed") + "\n")
	}
	b.WriteString("\n" + p.Sprintf("**API host IPs** (%d; qyapi.weixin.qq.com, allow outbound): %s", len(snap.APIIPs), dipList(p, snap.APIIPs)) + "\n")
	b.WriteString("\n" + p.Sprintf("**Callback IPs** (%d; WeCom's callbacks come from these, allow inbound): %s", len(snap.CallbackIPs), dipList(p, snap.CallbackIPs)))
	for _, n := range notes {
		b.WriteString("\n\n" + replies.Font(replies.Warning, replies.Escape(n)))
	}
	return &replies.Reply{Markdown: b.String()}, nil
}

// dipRow is "TCP 443, 80 · required · description".
func dipRow(p *i18n.Printer, protocol string, ports []int, necessary int, desc string) string {
	ps := make([]string, len(ports))
	for i, port := range ports {
		ps[i] = strconv.Itoa(port)
	}
	need := replies.Font(replies.Comment, p.T("optional"))
	if necessary == 1 {
		need = replies.Font(replies.Warning, p.T("required"))
	}
	return join(replies.Escape(strings.TrimSpace(protocol+" "+strings.Join(ps, ", "))), need, replies.Escape(desc))
}

func dipList(p *i18n.Printer, ips []string) string {
	if len(ips) == 0 {
		return p.T("none")
	}
	return codeList(ips)
}
