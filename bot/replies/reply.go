package replies

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/wecom"
)

// Reply is what the bot answers a member with: CommonMark text, and cards. Commands return one; approvals
// and alerts build them too; a Composer turns every one of them into WeCom messages the same way.
type Reply struct {
	Markdown     string
	TextCard     *wecom.TextCard
	TemplateCard *wecom.TemplateCard
	// Fallback is sent instead of TemplateCard where template cards are not shown (Composer.Text: the WeChat
	// plugin shows none). Nil sends nothing in its place: Markdown must then say what the card offers.
	Fallback *Reply
	// File is a file already uploaded (media/upload): it goes out as one file message.
	File *File
}

// File is an uploaded file a reply sends: its media_id, and what the demo and logs say of it.
type File struct {
	MediaID string
	Name    string
	Rows    int // data rows, for a CSV
	Bytes   int
}

// Composer turns replies into WeCom messages for one corp: markdown for the WeCom app, or plain text for
// corps whose members read the bot through the WeChat plugin (replies.format = "text"), which shows neither
// markdown nor template cards. Every path from a reply to the outbox goes through it.
type Composer struct {
	Text bool
}

// Messages returns the messages that carry rs to one member, in order, each within WeCom's byte limits.
//
// Consecutive text parts go out as one message where they fit in WeCom's 2,048 bytes (a member gets 30
// messages a minute: "(Dropped the pending …)" and the answer that follows are one message, not two).
func (c Composer) Messages(to string, rs ...*Reply) []*wecom.Message {
	var out []*wecom.Message
	var text []string // markdown waiting to go out, joined as one
	flush := func() {
		if len(text) > 0 {
			out = append(out, c.Markdown(to, strings.Join(text, "\n\n"))...)
			text = nil
		}
	}
	for _, r := range rs {
		if r == nil {
			continue
		}
		if r.Markdown != "" {
			text = append(text, r.Markdown)
		}
		if r.TextCard == nil && r.File == nil && (r.TemplateCard == nil || c.Text && r.Fallback == nil) {
			continue // nothing else to send: the next reply's text may join this one
		}
		flush()
		if r.TextCard != nil {
			out = append(out, wecom.NewTextCard(*r.TextCard, to))
		}
		if r.File != nil {
			out = append(out, wecom.NewFile(r.File.MediaID, to))
		}
		switch {
		case r.TemplateCard != nil && !c.Text:
			out = append(out, wecom.NewTemplateCard(r.TemplateCard, to))
		case r.TemplateCard != nil && r.Fallback != nil:
			out = append(out, c.Messages(to, r.Fallback)...)
		}
	}
	flush()
	return out
}

// Markdown returns the messages that carry CommonMark md to one member: as many as its size takes.
func (c Composer) Markdown(to, md string) []*wecom.Message {
	var out []*wecom.Message
	if c.Text {
		for _, chunk := range Split(Text(md), MaxBytes) {
			out = append(out, wecom.NewText(chunk, to))
		}
		return out
	}
	for _, chunk := range Split(Markdown(md), MaxBytes) {
		out = append(out, wecom.NewMarkdown(chunk, to))
	}
	return out
}

// SetDescribeLocation sets the time zone Describe writes times in: the corp's (cmd/bot sets it from
// replies.timezone). Safe to call while replies are being described (tests start several bots at once).
func SetDescribeLocation(loc *time.Location) {
	if loc != nil {
		describeLocation.Store(loc)
	}
}

var describeLocation atomic.Pointer[time.Location]

func describeLoc() *time.Location {
	if l := describeLocation.Load(); l != nil {
		return l
	}
	return China
}

// China is Asia/Shanghai, WeCom's own zone and the default for showing and reading times.
var China = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600) // no tzdata on the machine: China has one offset and no DST
}()

// Describe turns an error into what the member reads, in CommonMark and in the language ctx carries: our
// own messages translated (bot.Errorf keeps their English format), WeCom errcodes with their meaning and hint
// (escaped), anything else as a generic internal error (logged by the caller). Everything that answers a
// member (commands, card clicks, the approval page) phrases errors through it.
func Describe(ctx context.Context, err error) string {
	p := i18n.From(ctx)
	var be *bot.Error
	var we *wecom.Error
	var ve *wecom.ValidationError
	switch {
	case errors.As(err, &be):
		return p.Error(be)
	case errors.As(err, &we) && we.Code == wecom.CodeFreqLimit && !we.RetryAt.IsZero():
		// A blocked quota, not a blip (DOC/90454): say when it opens rather than "try again".
		at := we.RetryAt.In(describeLoc())
		when := at.Format("15:04")
		if time.Until(at) < 2*time.Minute {
			when = at.Format("15:04:05")
		}
		return p.Markdownf("WeCom's rate limit for this API (%s) is exhausted; try again after %s.", we.Op, when)
	case errors.As(err, &we):
		switch {
		case we.Hint != "" && we.Temporary():
			return p.Markdownf("WeCom answered errcode %d on %s: %s. Try again in a minute.", we.Code, we.Op, we.Hint)
		case we.Hint != "":
			return p.Markdownf("WeCom answered errcode %d on %s: %s.", we.Code, we.Op, we.Hint)
		case we.Temporary():
			return p.Markdownf("WeCom answered errcode %d on %s. Try again in a minute.", we.Code, we.Op)
		}
		return p.Markdownf("WeCom answered errcode %d on %s.", we.Code, we.Op)
	case errors.As(err, &ve):
		return p.Markdownf("That request would be refused by WeCom: %s %s.", ve.Field, ve.Reason)
	case errors.Is(err, context.DeadlineExceeded):
		return p.T("That took too long and was stopped. WeCom may be slow; try again.")
	}
	return p.Error(err)
}

// The message of errors that are not ours (bot.ErrorMessage), for the catalogue.
var _ = i18n.N("Internal error. It has been logged; please try again later.")

// Say is a CommonMark reply in the language of p: format is translated, then formatted as bot.Markdownf does.
func Say(p *i18n.Printer, format string, args ...any) *Reply {
	return &Reply{Markdown: p.Markdownf(format, args...)}
}
