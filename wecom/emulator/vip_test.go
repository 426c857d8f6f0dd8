package emulator

import (
	"fmt"
	"slices"
	"testing"
)

// admVIPAll walks security/vip/list.
func admVIPAll(e *admEnv, limit int) []string {
	e.t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		r := e.ok(e.post("security/vip/list", map[string]any{"cursor": cursor, "limit": limit}))
		admWantKeys(e.t, "vip/list", r, "errcode", "errmsg", "has_more", "next_cursor", "userid_list")
		page := admStrs(r.list("userid_list"))
		if len(page) > limit {
			e.t.Fatalf("%d userids, limit %d", len(page), limit)
		}
		out = append(out, page...)
		if more, _ := r["has_more"].(bool); !more {
			if r.str("next_cursor") != "" {
				e.t.Fatalf("next_cursor on the last page: %v", r)
			}
			return out
		}
		cursor = r.str("next_cursor")
	}
	e.t.Fatal("vip list never ended")
	return nil
}

// admRunVIPJob submits and reads back a job, checking both answers' shapes.
func admRunVIPJob(e *admEnv, kind string, users []string) (invalid, succ, fail []string) {
	e.t.Helper()
	r := e.ok(e.post("security/vip/submit_batch_"+kind+"_job", map[string]any{"userid_list": users}))
	admWantKeys(e.t, "submit job", r, "errcode", "errmsg", "jobid", "invalid_userid_list")
	if r.str("jobid") == "" {
		e.t.Fatalf("no jobid: %v", r)
	}
	res := e.ok(e.post("security/vip/batch_"+kind+"_job_result", map[string]any{"jobid": r.str("jobid")}))
	admWantKeys(e.t, "job result", res, "errcode", "errmsg", "job_result")
	jr := res.obj("job_result")
	admWantKeys(e.t, "job_result", jr, "succ_userid_list", "fail_userid_list")
	return admStrs(r.list("invalid_userid_list")), admStrs(jr.list("succ_userid_list")), admStrs(jr.list("fail_userid_list"))
}

func TestAdminVIPAddJob(t *testing.T) {
	e := newAdmEnv(t)
	if got := admVIPAll(e, 100); !slices.Equal(got, []string{"zhangsan", "lisi"}) {
		t.Fatalf("seeded vip users %v", got)
	}
	invalid, succ, fail := admRunVIPJob(e, "add", []string{"wangwu", "nosuchuser", "zhaoliu", "zhouba", "wangwu", "lisi"})
	if !slices.Equal(invalid, []string{"nosuchuser", "zhouba"}) {
		t.Errorf("invalid_userid_list %v: unknown and invisible userids are invalid", invalid)
	}
	// lisi already holds an account: allocating it again succeeds and takes no seat.
	if !slices.Equal(succ, []string{"wangwu", "zhaoliu", "lisi"}) || len(fail) != 0 {
		t.Errorf("succ %v fail %v", succ, fail)
	}
	if got := admVIPAll(e, 100); !slices.Equal(got, []string{"zhangsan", "lisi", "wangwu", "zhaoliu"}) {
		t.Errorf("vip users after the job: %v", got)
	}
	if got := e.s.VIPUsers(); len(got) != 4 {
		t.Errorf("VIPUsers() = %v", got)
	}
}

func TestAdminVIPSeatPool(t *testing.T) {
	e := newAdmEnv(t)
	e.s.SetVIPSeats(3) // two are already taken by the seed
	_, succ, fail := admRunVIPJob(e, "add", []string{"wangwu", "zhaoliu", "sunqi"})
	if !slices.Equal(succ, []string{"wangwu"}) || !slices.Equal(fail, []string{"zhaoliu", "sunqi"}) {
		t.Errorf("pool of 3: succ %v fail %v", succ, fail)
	}
	// Revoking frees a seat.
	_, succ, _ = admRunVIPJob(e, "del", []string{"zhangsan"})
	if !slices.Equal(succ, []string{"zhangsan"}) {
		t.Fatalf("del succ %v", succ)
	}
	_, succ, fail = admRunVIPJob(e, "add", []string{"zhaoliu", "sunqi"})
	if !slices.Equal(succ, []string{"zhaoliu"}) || !slices.Equal(fail, []string{"sunqi"}) {
		t.Errorf("after freeing a seat: succ %v fail %v", succ, fail)
	}
}

func TestAdminVIPDelJob(t *testing.T) {
	e := newAdmEnv(t)
	invalid, succ, fail := admRunVIPJob(e, "del", []string{"lisi", "sunqi", "ghost"})
	if !slices.Equal(invalid, []string{"ghost"}) || !slices.Equal(succ, []string{"lisi"}) || !slices.Equal(fail, []string{"sunqi"}) {
		t.Errorf("invalid %v succ %v fail %v", invalid, succ, fail)
	}
	if got := admVIPAll(e, 100); !slices.Equal(got, []string{"zhangsan"}) {
		t.Errorf("vip users after revoking lisi: %v", got)
	}
}

func TestAdminVIPJobErrors(t *testing.T) {
	e := newAdmEnv(t)
	add := e.ok(e.post("security/vip/submit_batch_add_job", map[string]any{"userid_list": []string{"wangwu"}})).str("jobid")
	// 40088 "jobid不存在" (DOC/90313) for an unknown jobid and for a jobid of the other kind.
	e.wantCode(e.post("security/vip/batch_add_job_result", map[string]any{"jobid": "nosuchjob"}), 40088)
	e.wantCode(e.post("security/vip/batch_del_job_result", map[string]any{"jobid": add}), 40088)
	e.ok(e.post("security/vip/batch_add_job_result", map[string]any{"jobid": add}))
	e.wantCode(e.post("security/vip/batch_add_job_result", map[string]any{}), 40058)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("user%03d", i)
	}
	for _, kind := range []string{"add", "del"} {
		path := "security/vip/submit_batch_" + kind + "_job"
		e.wantCode(e.post(path, map[string]any{"userid_list": many}), 40058)
		e.wantCode(e.post(path, map[string]any{"userid_list": []string{}}), 40058)
		e.ok(e.post(path, map[string]any{"userid_list": many[:100]}))
	}
}

func TestAdminVIPListPaging(t *testing.T) {
	e := newAdmEnv(t)
	admRunVIPJob(e, "add", []string{"wangwu", "zhaoliu", "sunqi", "wujiu"})
	want := []string{"zhangsan", "lisi", "wangwu", "zhaoliu", "sunqi", "wujiu"}
	for _, limit := range []int{1, 2, 4, 200} {
		if got := admVIPAll(e, limit); !slices.Equal(got, want) {
			t.Errorf("limit %d: %v, want %v", limit, got, want)
		}
	}
	// limit omitted: default 100, one page.
	r := e.ok(e.post("security/vip/list", map[string]any{}))
	if more, _ := r["has_more"].(bool); more || len(r.list("userid_list")) != len(want) {
		t.Errorf("default limit: %v", r)
	}
	e.wantCode(e.post("security/vip/list", map[string]any{"limit": 201}), 40058)
	e.wantCode(e.post("security/vip/list", map[string]any{"limit": -1}), 40058)
	e.wantCode(e.post("security/vip/list", map[string]any{"cursor": "bogus"}), 50100)
}
