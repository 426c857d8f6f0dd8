package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom/emulator"
)

// TestDeploy_dockerfile: docker cannot run here (no engine), so the Dockerfile is checked for what the
// deployment promises: a cgo build stage, a non-root runtime user, the database on a volume, a healthcheck
// through the binary itself (the runtime image has no shell or curl), and the binary and subcommands that
// exist.
func TestDeploy_dockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^FROM golang:\S+ AS build$`),
		regexp.MustCompile(`(?m)^RUN CGO_ENABLED=1 go build .* ./cmd/bot$`),
		regexp.MustCompile(`(?m)^FROM \S+$`), // the runtime stage
		regexp.MustCompile(`(?m)^USER 65532:65532$`),
		regexp.MustCompile(`(?m)^VOLUME \["/var/lib/wecombot"\]$`),
		regexp.MustCompile(`CMD \["/usr/local/bin/wecombot", "health", "--config", "/etc/wecombot/config.toml"\]`),
		regexp.MustCompile(`(?m)^CMD \["serve", "--config", "/etc/wecombot/config.toml"\]$`),
	} {
		if !want.MatchString(df) {
			t.Errorf("deploy/Dockerfile lacks %s", want)
		}
	}
	if n := strings.Count(df, "\nFROM "); n != 2 {
		t.Errorf("%d FROM lines; want a build stage and a runtime stage", n)
	}
	for _, sub := range []string{"serve", "health"} {
		if !strings.Contains(usageText(), "  "+sub+" ") {
			t.Errorf("the Dockerfile runs `%s`, which the binary does not have", sub)
		}
	}
	unit, err := os.ReadFile(filepath.Join("..", "..", "deploy", "wecombot.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ExecStart=/usr/local/bin/wecombot serve --config /etc/wecombot/config.toml",
		"ExecReload=/bin/kill -HUP $MAINPID", "User=wecombot", "UMask=0077", "NoNewPrivileges=true"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("deploy/wecombot.service lacks %q", want)
		}
	}
}

func usageText() string {
	var b bytes.Buffer
	usage(&b)
	return b.String()
}

// TestDeploy_runsAsNonRoot: the binary does its work as an unprivileged user (the container's 65532): the
// demo creates its database, answers, and exits cleanly. Run as root (CI), the child drops to 65532; run as
// anyone else, it is unprivileged already.
func TestDeploy_runsAsNonRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "wecombot")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(tmp, 0o777|os.ModeSticky)
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Dir(dir), 0o755) // t.TempDir's parent is private to this user
	cmd := exec.Command(bin, "demo", "-wait", "20s")
	cmd.Stdin = strings.NewReader("/ping\n:quit\n")
	cmd.Env = []string{"TMPDIR=" + tmp, "HOME=" + tmp, "PATH=/usr/bin:/bin"}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo as uid %d: %v\n%s", uidOf(cmd), err, out.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("demo as uid %d did not finish:\n%s", uidOf(cmd), out.String())
	}
	if !strings.Contains(out.String(), "pong") {
		t.Fatalf("demo as uid %d did not answer /ping:\n%s", uidOf(cmd), out.String())
	}
}

func uidOf(cmd *exec.Cmd) int {
	if cmd.SysProcAttr != nil && cmd.SysProcAttr.Credential != nil {
		return int(cmd.SysProcAttr.Credential.Uid)
	}
	return os.Geteuid()
}

// TestHealth: `wecombot health` passes against a running bot and fails, naming why, when nothing answers.
func TestHealth(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	path := filepath.Join(t.TempDir(), "config.toml")
	write := func(listen string) {
		doc := "[wecom]\ncorp_id = \"" + emulator.DefaultCorpID + "\"\nagent_id = 1\nsecret = \"x\"\n[callback]\nlisten = \"" + listen +
			"\"\ntoken = \"" + testToken + "\"\nencoding_aes_key = \"" + testAESKey + "\"\n[store]\npath = \"bot.db\"\n"
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: func(string) (string, bool) { return "", false }}
	write(s.addr)
	if err := runHealth(t.Context(), e, []string{"--config", path}); err != nil || !strings.Contains(out.String(), "ok") {
		t.Fatalf("health against the running bot: %v %q", err, out.String())
	}
	write("127.0.0.1:1") // nothing listens there
	if err := runHealth(t.Context(), e, []string{"--config", path}); err == nil || !strings.Contains(err.Error(), "health:") {
		t.Fatalf("health with nothing listening: %v; want an error", err)
	}
}
