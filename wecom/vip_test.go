package wecom

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVIPSubmitJobs(t *testing.T) {
	t.Parallel()
	want := &VIPJob{JobID: "xxx", InvalidUserIDs: []string{"zhaoliu"}}
	for _, tc := range []struct {
		path string
		call func(c *Client) (*VIPJob, error)
	}{
		{"security/vip/submit_batch_add_job", func(c *Client) (*VIPJob, error) {
			return c.VIP.SubmitBatchAddJob(t.Context(), []string{"zhangsan", "zhaoliu"})
		}},
		{"security/vip/submit_batch_del_job", func(c *Client) (*VIPJob, error) {
			return c.VIP.SubmitBatchDelJob(t.Context(), []string{"zhangsan", "zhaoliu"})
		}},
	} {
		c, mux := setup(t)
		// wecom-protocol.md §5.4 (DOC/99503, 99505).
		handle(t, mux, tc.path, "POST", `{"userid_list":["zhangsan","zhaoliu"]}`, nil,
			`{"errcode":0,"errmsg":"ok","jobid":"xxx","invalid_userid_list":["zhaoliu"]}`)
		got, err := tc.call(c)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tc.path, diff)
		}
	}
}

func TestVIPJobResults(t *testing.T) {
	t.Parallel()
	want := &VIPJobResult{SuccUserIDs: []string{"zhangsan"}, FailUserIDs: []string{"lisi"}}
	for _, tc := range []struct {
		path string
		call func(c *Client) (*VIPJobResult, error)
	}{
		{"security/vip/batch_add_job_result", func(c *Client) (*VIPJobResult, error) {
			return c.VIP.BatchAddJobResult(t.Context(), "xxx")
		}},
		{"security/vip/batch_del_job_result", func(c *Client) (*VIPJobResult, error) {
			return c.VIP.BatchDelJobResult(t.Context(), "xxx")
		}},
	} {
		c, mux := setup(t)
		handle(t, mux, tc.path, "POST", `{"jobid":"xxx"}`, nil,
			`{"errcode":0,"errmsg":"ok","job_result":{"succ_userid_list":["zhangsan"],"fail_userid_list":["lisi"]}}`)
		got, err := tc.call(c)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tc.path, diff)
		}
	}
}

func TestVIPList(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.4 (DOC/99506).
	handle(t, mux, "security/vip/list", "POST", `{"cursor":"CURSOR","limit":2}`, nil,
		`{"errcode":0,"errmsg":"ok","has_more":true,"next_cursor":"GNIJIGEO","userid_list":["zhangsan","lisi"]}`)
	got, err := c.VIP.List(t.Context(), "CURSOR", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := &VIPPage{UserIDs: []string{"zhangsan", "lisi"}, HasMore: true, NextCursor: "GNIJIGEO"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
}

func TestVIPAll(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/cgi-bin/security/vip/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testAccessToken(t, r)
		var body map[string]any
		readJSON(t, r, &body)
		cursor, _ := body["cursor"].(string)
		// WeCom's largest page, so a walk takes as few calls as it can; the cursor after the first page.
		if limit, _ := body["limit"].(float64); limit != MaxVIPPageLimit || len(body) > 2 || (len(body) == 2 && cursor == "") {
			t.Errorf("body %v; want limit %d and the cursor", body, MaxVIPPageLimit)
		}
		next := map[string]string{"": "c2", "c2": "c3", "c3": ""}[cursor]
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","has_more":%t,"next_cursor":%q,"userid_list":["a%s","b%s"]}`,
			next != "", next, cursor, cursor)
	})
	got, err := Collect(c.VIP.All(t.Context()), 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "ac2", "bc2", "ac3", "bc3"}, got); diff != "" {
		t.Errorf("All mismatch (-want +got):\n%s", diff)
	}
}

func TestVIP_validation(t *testing.T) {
	t.Parallel()
	runValidation(t, "security/vip/submit_batch_add_job", []validationCase{
		{"none", "userid_list", func(c *Client) error { _, err := c.VIP.SubmitBatchAddJob(t.Context(), nil); return err }},
		{"101", "userid_list", func(c *Client) error {
			_, err := c.VIP.SubmitBatchAddJob(t.Context(), make([]string, 101))
			return err
		}},
	})
	runValidation(t, "security/vip/submit_batch_del_job", []validationCase{
		{"101", "userid_list", func(c *Client) error {
			_, err := c.VIP.SubmitBatchDelJob(t.Context(), make([]string, 101))
			return err
		}},
	})
	runValidation(t, "security/vip/batch_add_job_result", []validationCase{
		{"no jobid", "jobid", func(c *Client) error { _, err := c.VIP.BatchAddJobResult(t.Context(), ""); return err }},
	})
	runValidation(t, "security/vip/batch_del_job_result", []validationCase{
		{"no jobid", "jobid", func(c *Client) error { _, err := c.VIP.BatchDelJobResult(t.Context(), ""); return err }},
	})
	runValidation(t, "security/vip/list", []validationCase{
		{"limit 201", "limit", func(c *Client) error { _, err := c.VIP.List(t.Context(), "", 201); return err }},
	})
}
