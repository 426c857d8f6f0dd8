package config_test

import (
	"strings"
	"testing"

	"github.com/wecombot/wecombot/bot/config"
)

func TestReplicationConfig(t *testing.T) {
	lookup := func(name string) (string, bool) {
		v, ok := map[string]string{"AK": "ak", "SK": "sk", "TEST_SECRET": "s"}[name]
		return v, ok
	}
	base := valid
	for _, tc := range []struct {
		name, section, want string
	}{
		{"off", "", ""},
		{"file", `replica = "file:///var/lib/wecombot/replica"`, ""},
		{"s3 with env keys", `replica = "s3://b/p"` + "\naccess_key_id = \"env:AK\"\nsecret_access_key = \"env:SK\"\nendpoint = \"https://minio:9000\"", ""},
		{"s3 without keys", `replica = "s3://b/p"`, ""},
		{"relative file", `replica = "file://replica"`, "absolute directory"},
		{"no scheme", `replica = "/var/lib/replica"`, "file:// or s3://"},
		{"s3 no bucket", `replica = "s3:///p"`, "bucket"},
		{"one key", `replica = "s3://b/p"` + "\naccess_key_id = \"env:AK\"", "both access_key_id"},
		{"keys on file", `replica = "file:///r"` + "\naccess_key_id = \"env:AK\"\nsecret_access_key = \"env:SK\"", "s3:// replicas only"},
		{"keys while off", `access_key_id = "env:AK"`, "replica is empty"},
		{"bad endpoint", `replica = "s3://b/p"` + "\nendpoint = \"minio:9000\"", "endpoint"},
		{"tiny interval", `replica = "file:///r"` + "\nsync_interval = \"10ms\"", "at least 100ms"},
		{"unknown key", `replica = "file:///r"` + "\nreplicas = 2", "unknown key"},
	} {
		doc := base
		if tc.section != "" {
			doc += "\n[replication]\n" + tc.section + "\n"
		}
		c, err := config.Parse(doc, lookup)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v; want an error containing %q", tc.name, err, tc.want)
		case tc.want == "" && tc.name == "s3 with env keys" && (c.Replication.AccessKeyID != "ak" || c.Replication.SecretAccessKey != "sk"):
			t.Errorf("env: keys not resolved: %+v", c.Replication)
		case tc.want == "" && tc.name == "off" && (c.Replication.Enabled() || c.Replication.Sync().String() != "1s"):
			t.Errorf("defaults: %+v", c.Replication)
		}
	}
}
