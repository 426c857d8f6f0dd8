package wecom_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
	"github.com/wecombot/wecombot/wecom/emulator"
	"github.com/wecombot/wecombot/wecom/wecomtest"
)

// Tests of the client against the emulator: the token source, errcode handling and paging end to end, over
// loopback HTTP, with the emulator validating requests like WeCom.

func newEmulated(t *testing.T, opts emulator.Options) (*wecom.Client, *wecomtest.Server) {
	t.Helper()
	emu := wecomtest.NewServer(t, opts)
	o := emu.Options()
	c, err := wecom.NewClient(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID,
		BaseURL: emu.URL, RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, emu
}

func TestEmulated_tokenSingleFlight(t *testing.T) {
	t.Parallel()
	c, emu := newEmulated(t, emulator.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	start := make(chan struct{})
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := c.Misc.GetAPIDomainIP(t.Context()); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := emu.TokenCount(); n != 1 {
		t.Fatalf("50 concurrent calls made %d gettoken calls; want exactly 1", n)
	}
	if n := len(emu.CallsTo("get_api_domain_ip")); n != 50 {
		t.Fatalf("API calls = %d; want 50", n)
	}
}

func TestEmulated_expiredTokenRefreshed(t *testing.T) {
	t.Parallel()
	c, emu := newEmulated(t, emulator.Options{})
	ctx := t.Context()
	if _, err := c.User.Get(ctx, "lisi"); err != nil {
		t.Fatal(err)
	}
	emu.ExpireTokens() // WeCom may invalidate a token before expires_in
	u, err := c.User.Get(ctx, "wangwu")
	if err != nil {
		t.Fatalf("call after expiry: %v; want a transparent refresh", err)
	}
	if u.UserID != "wangwu" {
		t.Fatalf("User.Get = %+v", u)
	}
	if n := emu.TokenCount(); n != 2 {
		t.Fatalf("gettoken calls = %d; want 2 (initial + one refresh)", n)
	}
	codes := []int{}
	for _, call := range emu.CallsTo("user/get") {
		codes = append(codes, call.ErrCode)
	}
	if fmt.Sprint(codes) != "[0 42001 0]" {
		t.Fatalf("user/get errcodes = %v; want [0 42001 0]", codes)
	}
}

func TestEmulated_tokenLifetime(t *testing.T) {
	t.Parallel()
	// A token within 5 minutes of expiry is refreshed before use, never sent stale.
	var mu sync.Mutex
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	emu := wecomtest.NewServer(t, emulator.Options{TokenTTL: 10 * time.Minute, Now: clock})
	o := emu.Options()
	c, err := wecom.NewClient(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, BaseURL: emu.URL, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	c.Misc.GetCallbackIP(ctx)
	mu.Lock()
	now = now.Add(6 * time.Minute)
	mu.Unlock()
	if _, err := c.Misc.GetCallbackIP(ctx); err != nil {
		t.Fatal(err)
	}
	if n := emu.TokenCount(); n != 2 {
		t.Fatalf("gettoken = %d; want 2 (refreshed inside the 5-minute margin)", n)
	}
	for _, call := range emu.CallsTo("getcallbackip") {
		if call.ErrCode != 0 {
			t.Fatalf("a call was sent with a stale token: errcode %d", call.ErrCode)
		}
	}
}

func TestEmulated_freqLimitBlocks(t *testing.T) {
	t.Parallel()
	c, emu := newEmulated(t, emulator.Options{})
	emu.Fail("security/vip/list", wecom.CodeFreqLimit, 1)
	_, err := c.VIP.List(t.Context(), "", 100)
	if !wecom.IsCode(err, wecom.CodeFreqLimit) || wecom.RetryAt(err).Before(time.Now().Add(50*time.Second)) {
		t.Fatalf("VIP.List after a 45009: %v (RetryAt %v); want 45009 with RetryAt a minute on", err, wecom.RetryAt(err))
	}
	if _, err := c.VIP.List(t.Context(), "", 100); !wecom.IsCode(err, wecom.CodeFreqLimit) {
		t.Fatalf("second VIP.List: %v; want the local 45009", err)
	}
	if n := len(emu.CallsTo("security/vip/list")); n != 1 {
		t.Fatalf("attempts = %d; want 1: a blocked API is not called again", n)
	}
	if _, err := c.Misc.GetCallbackIP(t.Context()); err != nil {
		t.Fatalf("another API: %v", err)
	}
}

func TestEmulated_forbiddenIsTypedWithHint(t *testing.T) {
	t.Parallel()
	c, emu := newEmulated(t, emulator.Options{})
	emu.Fail("advanced_feature/get_approval_info", wecom.CodeAPIForbidden, 1)
	_, err := c.AdvancedFeature.GetApprovalInfo(t.Context(), "any")
	var we *wecom.Error
	if !errors.As(err, &we) {
		t.Fatalf("err = %T %v; want *wecom.Error", err, err)
	}
	if we.Code != 48002 || we.Op != "advanced_feature/get_approval_info" || we.Hint == "" || we.Temporary() {
		t.Fatalf("err = %+v; want op, errcode 48002, a hint, not temporary", we)
	}
	if n := len(emu.CallsTo("advanced_feature/get_approval_info")); n != 1 {
		t.Fatalf("48002 was retried: %d calls", n)
	}
}

func TestEmulated_walksEveryPage(t *testing.T) {
	t.Parallel()
	c, emu := newEmulated(t, emulator.Options{})
	ctx := t.Context()
	end := time.Now().Unix() - 1 // end_time must be earlier than now (DOC/100178)
	opts := wecom.OperLogOptions{StartTime: end - 7*24*3600 + 1, EndTime: end}
	collect := func(limit int) []wecom.MemberOperLog {
		o := opts
		o.Limit = limit
		recs, err := wecom.Collect(c.Security.AllMemberOperLogs(ctx, o), 0)
		if err != nil {
			t.Fatalf("walk with limit %d: %v", limit, err)
		}
		return recs
	}
	whole := collect(400)
	before := len(emu.CallsTo("security/member_oper_log/list"))
	paged := collect(7)
	pages := len(emu.CallsTo("security/member_oper_log/list")) - before
	if len(whole) < 21 {
		t.Fatalf("only %d records in the last week; the seed should give several pages", len(whole))
	}
	if wantPages := (len(whole) + 6) / 7; pages != wantPages {
		t.Errorf("pages fetched = %d; want %d for %d records at 7 a page", pages, wantPages, len(whole))
	}
	if len(paged) != len(whole) {
		t.Fatalf("paged walk gave %d records; want %d", len(paged), len(whole))
	}
	for i := range whole {
		if whole[i] != paged[i] {
			t.Fatalf("record %d differs: %+v vs %+v", i, whole[i], paged[i])
		}
	}
}

func TestEmulated_contentLimitsAgree(t *testing.T) {
	t.Parallel()
	// The client refuses what WeCom would refuse, before sending; the emulator refuses it too when sent.
	c, emu := newEmulated(t, emulator.Options{})
	long := make([]byte, 2049)
	for i := range long {
		long[i] = 'a'
	}
	_, err := c.Message.Send(t.Context(), wecom.NewText(string(long), "lisi"))
	var ve *wecom.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("2049-byte text: err = %v; want a ValidationError", err)
	}
	if n := len(emu.CallsTo("message/send")); n != 0 {
		t.Fatalf("an invalid message reached WeCom (%d calls)", n)
	}
	// Sent anyway, WeCom cuts text over 2048 bytes silently and refuses it over 5120 (DOC/90236): the reason
	// the client refuses it first.
	raw := func(n int) []byte {
		return []byte(`{"touser":"lisi","msgtype":"text","agentid":` + fmt.Sprint(emu.Options().AgentID) +
			`,"text":{"content":"` + strings.Repeat("a", n) + `"}}`)
	}
	if err := c.PostJSON(t.Context(), "message/send", raw(2049), nil); err != nil {
		t.Fatalf("2049-byte text sent raw: %v; WeCom accepts and truncates it", err)
	}
	if m := emu.Messages("lisi"); len(m) != 1 || !m[0].Truncated || len(m[0].Content) != 2048 {
		t.Fatalf("2049-byte text: recorded %+v; want one message truncated to 2048 bytes", m)
	}
	if err := c.PostJSON(t.Context(), "message/send", raw(5121), nil); !wecom.IsCode(err, wecom.CodeInvalidParameter) {
		t.Fatalf("5121-byte text sent raw: %v; want 40058", err)
	}
	if _, err := c.Message.Send(context.Background(), wecom.NewText(string(long[:2048]), "lisi")); err != nil {
		t.Fatalf("2048-byte text refused: %v", err)
	}
}
