package emulator

// 高级功能账号 (security/vip/*, DOC/99503 分配, 99505 取消, 99506 列表). Allocation is an asynchronous job in
// WeCom; the emulator runs it at submission, so the first batch_*_job_result already carries the outcome.
// Allocation draws on a licence pool (SetVIPSeats); users beyond it fail, as when a corp has bought too few
// accounts.

import (
	"fmt"
	"slices"
)

// routesVIP registers the 高级功能账号 APIs, DOC/99503, 99505, 99506 (the client's wecom/vip.go).
func (s *Server) routesVIP() {
	s.handle("POST", "security/vip/submit_batch_add_job", s.vipSubmitBatchAddJob)
	s.handle("POST", "security/vip/batch_add_job_result", s.vipBatchAddJobResult)
	s.handle("POST", "security/vip/submit_batch_del_job", s.vipSubmitBatchDelJob)
	s.handle("POST", "security/vip/batch_del_job_result", s.vipBatchDelJobResult)
	s.handle("POST", "security/vip/list", s.vipList)
}

// Bounds from the docs: userid_list "单次操作最多限制100个"; list limit "默认100，最大200".
const (
	maxVIPUsersPerJob = 100
	defaultVIPLimit   = 100
	maxVIPLimit       = 200
)

// vipJob is a finished allocation ("add") or revocation ("del") job.
type vipJob struct {
	id   string
	kind string
	succ []string
	fail []string
}

// SetVIPSeats sets how many 高级功能 accounts the corp's licence pool holds (default 10). Accounts already
// allocated beyond a lowered pool are kept; only new allocations fail.
func (s *Server) SetVIPSeats(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.admin.vipSeats = max(n, 0)
}

// VIPUsers returns the userids holding a 高级功能 account, in allocation order.
func (s *Server) VIPUsers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.org.admin.vipUsers)
}

func (s *Server) vipSubmitBatchAddJob(c *apiCall) (obj, *apiError) { return s.vipSubmit(c, "add") }
func (s *Server) vipSubmitBatchDelJob(c *apiCall) (obj, *apiError) { return s.vipSubmit(c, "del") }
func (s *Server) vipBatchAddJobResult(c *apiCall) (obj, *apiError) { return s.vipJobResult(c, "add") }
func (s *Server) vipBatchDelJobResult(c *apiCall) (obj, *apiError) { return s.vipJobResult(c, "del") }

// vipSubmit is POST security/vip/submit_batch_{add,del}_job: {"userid_list"} → {"jobid","invalid_userid_list"}.
// Userids that are not members, or not visible to the app, are invalid and take no part in the job.
func (s *Server) vipSubmit(c *apiCall, kind string) (obj, *apiError) {
	var req struct {
		UserIDList []string `json:"userid_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.UserIDList) == 0 {
		return nil, errInvalidParam("userid_list is empty")
	}
	if len(req.UserIDList) > maxVIPUsersPerJob {
		return nil, errInvalidParam("userid_list has %d userids, at most %d", len(req.UserIDList), maxVIPUsersPerJob)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	invalid, valid := []string{}, []string{}
	for _, u := range req.UserIDList {
		switch {
		case slices.Contains(valid, u) || slices.Contains(invalid, u):
			// a repeated userid counts once
		case s.org.admVisible(u):
			valid = append(valid, u)
		default:
			invalid = append(invalid, u)
		}
	}
	job := &vipJob{id: a.newJobID(), kind: kind, succ: []string{}, fail: []string{}}
	for _, u := range valid {
		held := slices.Contains(a.vipUsers, u)
		switch {
		case kind == "add" && held: // allocating an account someone already holds succeeds without a seat
			job.succ = append(job.succ, u)
		case kind == "add" && len(a.vipUsers) < a.vipSeats:
			a.vipUsers = append(a.vipUsers, u)
			job.succ = append(job.succ, u)
		case kind == "del" && held:
			a.vipUsers = slices.DeleteFunc(a.vipUsers, func(x string) bool { return x == u })
			job.succ = append(job.succ, u)
		default: // no seat left, or nothing to revoke
			job.fail = append(job.fail, u)
		}
	}
	a.vipJobs[job.id] = job
	a.jobOrder = append(a.jobOrder, job.id)
	if len(a.jobOrder) > maxVIPJobs {
		delete(a.vipJobs, a.jobOrder[0])
		a.jobOrder = a.jobOrder[1:]
	}
	return obj{"jobid": job.id, "invalid_userid_list": invalid}, nil
}

// newJobID returns an unused jobid.
func (a *adminState) newJobID() string {
	for {
		a.jobSeq++
		id := fmt.Sprintf("vipjob%04d%012x", a.jobSeq%10000, a.rng.Uint64()&0xffffffffffff)
		if _, taken := a.vipJobs[id]; !taken {
			return id
		}
	}
}

// vipJobResult is POST security/vip/batch_{add,del}_job_result: {"jobid"} →
// {"job_result":{"succ_userid_list","fail_userid_list"}}. An unknown jobid, or one of the other kind, answers
// 40088 "jobid不存在" (DOC/90313).
func (s *Server) vipJobResult(c *apiCall, kind string) (obj, *apiError) {
	var req struct {
		JobID string `json:"jobid"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.JobID == "" {
		return nil, errInvalidParam("jobid is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	job, ok := s.org.admin.vipJobs[req.JobID]
	if !ok || job.kind != kind {
		return nil, errf(40088, "jobid not found: %s", req.JobID)
	}
	return obj{"job_result": obj{
		"succ_userid_list": slices.Clone(job.succ),
		"fail_userid_list": slices.Clone(job.fail),
	}}, nil
}

// vipList is POST security/vip/list: {"cursor","limit"} → {"has_more","next_cursor","userid_list"}. Holders
// outside the app's visibility are not listed.
func (s *Server) vipList(c *apiCall) (obj, *apiError) {
	var req struct {
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Limit < 0 || req.Limit > maxVIPLimit {
		return nil, errInvalidParam("invalid limit %d, at most %d", req.Limit, maxVIPLimit)
	}
	if req.Limit == 0 {
		req.Limit = defaultVIPLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var users []string
	for _, u := range s.org.admin.vipUsers {
		if s.org.admVisible(u) {
			users = append(users, u)
		}
	}
	rows, next, err := page(users, "vip", 0, req.Cursor, req.Limit, errBadCursor())
	if err != nil {
		return nil, err
	}
	return obj{"has_more": next != "", "next_cursor": next, "userid_list": rows}, nil
}

// defaultVIPSeats is the size of the emulated 高级功能 licence pool; SetVIPSeats changes it.
const defaultVIPSeats = 10
