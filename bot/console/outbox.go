package console

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
)

// The outbox, for admins: messages waiting (due now, or held back by WeCom's per-member limit), being sent,
// and failed with WeCom's errcode; a failed one can be sent again.

type outboxRow struct {
	ID                                     int64
	To, API, Created, Next, Error, Preview string
	ErrCode, Attempts                      int
	Held                                   bool
}

type outboxData struct {
	base
	Pending, Sending, Failed []outboxRow
	Result, Error            string
}

const outboxPageRows = 100

// preview is what a message says, shortened: its text or markdown, or a card's title.
func preview(body []byte) string {
	var m struct {
		MsgType  string `json:"msgtype"`
		Text     struct{ Content string }
		Markdown struct{ Content string }
		Card     struct {
			MainTitle struct{ Title string } `json:"main_title"`
		} `json:"template_card"`
		TextCard struct{ Title string } `json:"textcard"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	s := m.Text.Content + m.Markdown.Content + m.Card.MainTitle.Title + m.TextCard.Title
	return replies.Truncate(s, 160)
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.caller.Admin {
		s.forbid(w, r, v, "console outbox", "admin")
		return
	}
	s.renderOutbox(w, r, v, "", "")
}

func (s *Server) renderOutbox(w http.ResponseWriter, r *http.Request, v *visitor, result, errText string) {
	ctx := r.Context()
	now := s.d.Now()
	d := outboxData{base: s.base(r, v, v.p.T("Outbox")), Result: result, Error: errText}
	for _, part := range []struct {
		state string
		into  *[]outboxRow
	}{{"pending", &d.Pending}, {"sending", &d.Sending}, {"failed", &d.Failed}} {
		rows, err := s.d.DB.ConsoleOutbox(ctx, part.state, outboxPageRows)
		if err != nil {
			s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot read the outbox now; try again."))
			return
		}
		for _, m := range rows {
			*part.into = append(*part.into, outboxRow{ID: m.ID, To: s.who(ctx, m.Recipient), API: m.API,
				Created: m.CreatedAt.In(s.d.Location).Format("01-02 15:04:05"), Next: m.NextAttempt.In(s.d.Location).Format("01-02 15:04:05"),
				Error: m.LastError, ErrCode: m.ErrCode, Attempts: m.Attempts, Preview: preview(m.Body), Held: m.NextAttempt.After(now)})
		}
	}
	s.render(w, http.StatusOK, "outbox.html", d)
}

// outboxRetry sends a failed message again (POST /console/outbox/{id}/retry).
func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !v.caller.Admin {
		s.forbid(w, r, v, "console outbox retry", "admin")
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, v, http.StatusNotFound, i18n.N("There is no such message."))
		return
	}
	ok, err := s.d.DB.RetryFailedOutbox(r.Context(), id)
	switch {
	case err != nil:
		s.fail(w, r, v, http.StatusServiceUnavailable, i18n.N("Cannot queue the message now; try again."))
	case !ok:
		s.renderOutbox(w, r, v, "", v.p.Sprintf("Message %d is not failed (it was sent, or retried already).", id))
	default:
		s.audit(r.Context(), v.session.UserID, "outbox retry", map[string]string{"id": strconv.FormatInt(id, 10)}, db.DecisionOK, "queued again")
		if s.d.Notify != nil {
			s.d.Notify()
		}
		s.renderOutbox(w, r, v, v.p.Sprintf("Message %d is queued again.", id), "")
	}
}
