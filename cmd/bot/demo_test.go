package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDemo_piped runs `printf '/help\n/whoami\n' | bot demo` in-process: it must print the help and the
// caller's roles, and exit cleanly at the end of input.
func TestDemo_piped(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader("/help\n/whoami\n:as lisi\n/audit\n"), stdout: &out, stderr: &errOut,
		getenv: func(string) (string, bool) { return "", false }}
	if err := run(t.Context(), e, []string{"demo"}); err != nil {
		t.Fatalf("demo: %v\nstderr: %s", err, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"zhangsan> /help", "Commands you can run", "/order approve", // help, as the admin sees it
		"zhangsan> /whoami", "You are `zhangsan`", "Admin", // roles
		"now speaking as lisi", "not allowed to run /audit", // another member, refused
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
}
