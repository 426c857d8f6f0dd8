package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDemo_piped runs `printf '/help\n/whoami\n' | wecombot demo` in-process: it must print the help and the
// caller's roles, and exit cleanly at the end of input.
func TestDemo_piped(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader("/帮助\n/whoami\n:as lisi\n/audit\n/lang en\n/audit\n/lang\n"), stdout: &out, stderr: &errOut,
		getenv: func(string) (string, bool) { return "", false }}
	if err := run(t.Context(), e, []string{"demo"}); err != nil {
		t.Fatalf("demo: %v\nstderr: %s", err, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"zhangsan> /帮助", "你可以运行的命令", "`/order` `/审批` list · show · approve · reject", // help in Chinese, the default
		"zhangsan> /whoami", "你是 `zhangsan`", "管理员", // roles
		"now speaking as lisi", "你无权运行 /audit", // another member, refused
		"lisi> /lang en", "From now on I answer you in English.", "You are not allowed to run /audit", // lisi chose English
		"You read the bot in English.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the demo to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var demoPageRE = regexp.MustCompile(`page: (http://127\.0\.0\.1:\d+/approvals/(\S+))`)

// TestDemo_approvalPageOpens: in `wecombot demo` the link on an approval card works: a GET (following redirects,
// with cookies, as a browser does) answers 200 with the application.
func TestDemo_approvalPageOpens(t *testing.T) {
	t.Parallel()
	in, feed := io.Pipe()
	out := &syncBuffer{}
	var errOut bytes.Buffer
	e := &env{stdin: in, stdout: out, stderr: &errOut, getenv: func(string) (string, bool) { return "", false }}
	done := make(chan error, 1)
	go func() { done <- run(t.Context(), e, []string{"demo"}) }()
	fmt.Fprintln(feed, ":as lisi")
	fmt.Fprintln(feed, ":apply docs 共享文档 <b>urgent</b>")
	var link, id string
	waitFor(t, 20*time.Second, "the approval card with its page link", func() bool {
		for _, m := range demoPageRE.FindAllStringSubmatch(out.String(), -1) {
			if m[2] != demoApplyID { // lisi's, not the one sunqi makes at start
				link, id = m[1], m[2]
			}
		}
		return link != ""
	})
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar, Timeout: 10 * time.Second}).Get(link)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), id) || !strings.Contains(string(body), "共享文档 &lt;b&gt;urgent") {
		t.Fatalf("GET %s = %d:\n%s\nwant 200 with application %s", link, resp.StatusCode, body, id)
	}
	fmt.Fprintln(feed, ":quit")
	if err := <-done; err != nil {
		t.Fatalf("demo: %v\nstderr: %s", err, errOut.String())
	}
	feed.Close()
}

// TestDemo_consoleHelpUnknownMemberLongLine: :help lists the console's commands, :as refuses a userid the
// sample organisation does not have, and a line over 64 KB is refused without ending the demo.
func TestDemo_consoleHelpUnknownMemberLongLine(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	input := ":help\n:as nobody\n" + strings.Repeat("x", 70_000) + "\n/ping\n"
	e := &env{stdin: strings.NewReader(input), stdout: &out, stderr: &errOut, getenv: func(string) (string, bool) { return "", false }}
	if err := run(t.Context(), e, []string{"demo"}); err != nil {
		t.Fatalf("demo: %v\nstderr: %s", err, errOut.String())
	}
	got := out.String()
	for _, want := range []string{":apply [mail|docs|drive|meetings] REASON", "nobody is not a member of the sample organisation",
		"that line is over 64 KB", "zhangsan> /ping", "pong"} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%.2000s", want, got)
		}
	}
	if strings.Contains(got, "now speaking as nobody") {
		t.Errorf("the demo switched to a member that does not exist")
	}
}

// A --csv answer shows as the file, with its rows and size, saved where the user can open it.
func TestDemo_fileMessageSaved(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // where the demo saves files; not parallel, since it sets the environment
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader("/devices --csv\n"), stdout: &out, stderr: &errOut, getenv: func(string) (string, bool) { return "", false }}
	if err := run(t.Context(), e, []string{"demo"}); err != nil {
		t.Fatalf("demo: %v\nstderr: %s", err, errOut.String())
	}
	m := regexp.MustCompile(`\[file (devices-trusted-\d{8}-\d{4}\.csv), (\d+) rows, [\d.]+ (?:B|KB|MB), saved to (\S+\.csv)\]`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("demo output shows no saved file:\n%s", out.String())
	}
	data, err := os.ReadFile(m[3])
	if err != nil || !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) || filepath.Base(m[3]) != m[1] {
		t.Fatalf("saved file %s: %v, starts %q", m[3], err, data[:min(len(data), 8)])
	}
	if lines := bytes.Count(data, []byte("\r\n")); fmt.Sprint(lines-1) != m[2] {
		t.Fatalf("file has %d data lines; the console says %s rows", lines-1, m[2])
	}
}
