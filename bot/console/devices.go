package console

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Devices awaiting an admin's confirmation: select some, confirm on a second page that lists exactly what will
// happen, then approve or reject them in one call (WeCom takes up to 100), audited with via=web.

const (
	maxDevicesListed = 500 // awaiting devices read for the page
	maxDevicesPerRun = 100 // trustdevice/approve and reject take at most 100 codes
)

type deviceRow struct {
	Code, System, Name, Member, Applied, Kind string
	Checked                                   bool
}

type devicesData struct {
	base
	Rows           []deviceRow
	Capped         bool
	Action, Verb   string
	Confirm        bool
	Done           []string
	Failed         []string
	Error, Result  string
	CanDecide      bool
	MaxPerDecision int
}

func (s *Server) awaitingDevices(r *http.Request, v *visitor) ([]wecom.Device, bool, error) {
	var out []wecom.Device
	for dev, err := range s.d.Client.Security.AllDevices(r.Context(), wecom.DeviceUnknown) {
		if err != nil {
			return nil, false, err
		}
		if dev.Status.Awaiting() {
			out = append(out, dev)
			if len(out) == maxDevicesListed {
				return out, true, nil
			}
		}
	}
	slices.SortStableFunc(out, func(a, b wecom.Device) int { return cmp.Compare(b.ConfirmTimestamp, a.ConfirmTimestamp) })
	return out, false, nil
}

func (s *Server) deviceRow(r *http.Request, v *visitor, dev wecom.Device, checked bool) deviceRow {
	kind := v.p.T("as an enterprise device")
	if dev.Status == wecom.DeviceAwaitingPersonalConfirm {
		kind = v.p.T("as a personal device")
	}
	who := dev.ConfirmUserID
	if who == "" {
		who = dev.LastLoginUserID
	}
	applied := ""
	if dev.ConfirmTimestamp > 0 {
		applied = time.Unix(dev.ConfirmTimestamp, 0).In(s.d.Location).Format("2006-01-02 15:04")
	}
	name := dev.PCName
	if name == "" {
		name = dev.SeqNo
	}
	return deviceRow{Code: dev.DeviceCode, System: dev.System, Name: name, Member: s.who(r.Context(), who), Applied: applied, Kind: kind, Checked: checked}
}

func (s *Server) devicesPage(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.caller.Can("devices.read") {
		s.forbid(w, r, v, "console devices", "devices.read")
		return
	}
	devs, capped, err := s.awaitingDevices(r, v)
	if err != nil {
		s.fail(w, r, v, http.StatusBadGateway, i18n.N("WeCom did not give the device list just now (%s); try again."), replies.Text(replies.Describe(i18n.With(r.Context(), v.p.Lang()), err)))
		return
	}
	d := devicesData{base: s.base(r, v, v.p.T("Devices awaiting approval")), Capped: capped, CanDecide: v.caller.Can("devices.write"),
		MaxPerDecision: maxDevicesPerRun}
	for _, dev := range devs {
		d.Rows = append(d.Rows, s.deviceRow(r, v, dev, false))
	}
	s.render(w, http.StatusOK, "devices.html", d)
}

// selected reads the chosen codes and keeps those still awaiting, in the list's order.
func (s *Server) selected(r *http.Request, v *visitor) (chosen []wecom.Device, gone []string, err error) {
	want := map[string]bool{}
	for _, c := range r.PostForm["code"] {
		if c = strings.TrimSpace(c); c != "" && len(c) <= 64 {
			want[c] = true
		}
	}
	devs, _, err := s.awaitingDevices(r, v)
	if err != nil {
		return nil, nil, err
	}
	for _, dev := range devs {
		if want[dev.DeviceCode] {
			chosen = append(chosen, dev)
			delete(want, dev.DeviceCode)
		}
	}
	for c := range want {
		gone = append(gone, c)
	}
	slices.Sort(gone)
	return chosen, gone, nil
}

// devicesDecide is both steps of a decision: action approve|reject with confirm=0 shows what will happen; with
// confirm=1 it is done.
func (s *Server) devicesDecide(w http.ResponseWriter, r *http.Request, v *visitor) {
	action := r.PostFormValue("action")
	if action != "approve" && action != "reject" {
		s.fail(w, r, v, http.StatusBadRequest, i18n.N("Choose Approve or Reject."))
		return
	}
	command := "devices " + action
	if !v.caller.Can("devices.write") {
		s.forbid(w, r, v, command, "devices.write")
		return
	}
	chosen, gone, err := s.selected(r, v)
	if err != nil {
		s.fail(w, r, v, http.StatusBadGateway, i18n.N("WeCom did not give the device list just now (%s); try again."), replies.Text(replies.Describe(i18n.With(r.Context(), v.p.Lang()), err)))
		return
	}
	verb := v.p.T("Approve")
	if action == "reject" {
		verb = v.p.T("Reject")
	}
	d := devicesData{base: s.base(r, v, v.p.T("Devices awaiting approval")), Action: action, Verb: verb, CanDecide: true, MaxPerDecision: maxDevicesPerRun}
	if len(gone) > 0 {
		d.Error = v.p.Sprintf("No longer awaiting a decision, so left out: %s.", strings.Join(gone, ", "))
	}
	switch {
	case len(chosen) == 0:
		if d.Error == "" {
			d.Error = v.p.T("Select the devices first.")
		}
		devs, _, _ := s.awaitingDevices(r, v)
		for _, dev := range devs {
			d.Rows = append(d.Rows, s.deviceRow(r, v, dev, false))
		}
		s.render(w, http.StatusBadRequest, "devices.html", d)
		return
	case len(chosen) > maxDevicesPerRun:
		d.Error = v.p.Sprintf("At most %d devices at once; select fewer.", maxDevicesPerRun)
		for _, dev := range chosen {
			d.Rows = append(d.Rows, s.deviceRow(r, v, dev, true))
		}
		s.render(w, http.StatusBadRequest, "devices.html", d)
		return
	}
	for _, dev := range chosen {
		d.Rows = append(d.Rows, s.deviceRow(r, v, dev, true))
	}
	if r.PostFormValue("confirm") != "1" {
		d.Confirm = true // the second page: exactly these devices, then the button that does it
		s.render(w, http.StatusOK, "devices.html", d)
		return
	}
	codes := make([]string, len(chosen))
	for i, dev := range chosen {
		codes[i] = dev.DeviceCode
	}
	call := s.d.Client.Security.ApproveDevices
	if action == "reject" {
		call = s.d.Client.Security.RejectDevices
	}
	res, err := call(r.Context(), codes)
	args := map[string]string{"code": strings.Join(codes, " ")}
	if err != nil {
		s.audit(r.Context(), v.session.UserID, command, args, db.DecisionFailed, replies.Truncate(err.Error(), 500))
		d.Rows = nil
		d.Error = replies.Text(replies.Describe(i18n.With(r.Context(), v.p.Lang()), err))
		s.render(w, http.StatusBadGateway, "devices.html", d)
		return
	}
	d.Done, d.Failed, d.Rows = res.SuccessList, res.FailList, nil
	decision, result := db.DecisionOK, "done: "+strings.Join(res.SuccessList, " ")
	if len(res.FailList) > 0 {
		decision, result = db.DecisionPartial, "failed: "+strings.Join(res.FailList, " ")+"; done: "+strings.Join(res.SuccessList, " ")
	}
	s.audit(r.Context(), v.session.UserID, command, args, decision, replies.Truncate(result, 500))
	d.Result = v.p.Sprintf("%s: %d done, %d failed.", verb, len(res.SuccessList), len(res.FailList))
	s.render(w, http.StatusOK, "devices.html", d)
}
