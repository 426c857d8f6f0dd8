package config_test

import (
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/config"
)

func TestParse_Metrics(t *testing.T) {
	e := env(map[string]string{"TEST_SECRET": "s"})
	c, err := config.Parse(valid, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics.Listen != "" {
		t.Fatalf("metrics.listen defaults to %q; want \"\" (off)", c.Metrics.Listen)
	}
	c, err = config.Parse(valid+"[metrics]\nlisten = \"127.0.0.1:9464\"\n", e)
	if err != nil || c.Metrics.Listen != "127.0.0.1:9464" {
		t.Fatalf("metrics.listen = %v, %v; want 127.0.0.1:9464", c, err)
	}
	for listen, want := range map[string]string{
		"9464":           "must be host:port",
		"0.0.0.0:8080":   "callback's port 8080", // the callback listens on 127.0.0.1:8080
		"127.0.0.1:8080": "callback's port 8080",
	} {
		_, err := config.Parse(valid+"[metrics]\nlisten = \""+listen+"\"\n", e)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("metrics.listen = %q: err %v; want one saying %q", listen, err, want)
		}
	}
	if _, err := config.Parse(valid+"[metrics]\npath = \"/m\"\n", e); err == nil || !strings.Contains(err.Error(), "metrics.path") {
		t.Errorf("an unknown [metrics] key: err %v; want it named", err)
	}
}
