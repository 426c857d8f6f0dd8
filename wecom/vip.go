package wecom

import (
	"context"
	"iter"
	"strings"
	"time"
)

// VIPService allocates and revokes advanced-feature accounts (高级功能账号, security/vip/*). Allocation is an
// asynchronous job: submit it, then read its result.
type VIPService service

// Limits of security/vip/*.
const (
	MaxVIPUsersPerJob = 100
	MaxVIPPageLimit   = 200
)

// VIPJob is a submitted batch job; InvalidUserIDs were left out of it.
type VIPJob struct {
	JobID          string   `json:"jobid"`
	InvalidUserIDs []string `json:"invalid_userid_list"`
}

// VIPJobResult is a batch job's outcome.
type VIPJobResult struct {
	SuccUserIDs []string `json:"succ_userid_list"`
	FailUserIDs []string `json:"fail_userid_list"`
}

// SubmitBatchAddJob submits a job that gives up to 100 members an advanced-feature account.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99503
//
//meta:operation POST /cgi-bin/security/vip/submit_batch_add_job
func (s *VIPService) SubmitBatchAddJob(ctx context.Context, userIDs []string) (*VIPJob, error) {
	return s.submit(ctx, "security/vip/submit_batch_add_job", userIDs)
}

// BatchAddJobResult reads the outcome of an add job.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99503
//
//meta:operation POST /cgi-bin/security/vip/batch_add_job_result
func (s *VIPService) BatchAddJobResult(ctx context.Context, jobID string) (*VIPJobResult, error) {
	return s.result(ctx, "security/vip/batch_add_job_result", jobID)
}

// SubmitBatchDelJob submits a job that takes the advanced-feature account from up to 100 members.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99505
//
//meta:operation POST /cgi-bin/security/vip/submit_batch_del_job
func (s *VIPService) SubmitBatchDelJob(ctx context.Context, userIDs []string) (*VIPJob, error) {
	return s.submit(ctx, "security/vip/submit_batch_del_job", userIDs)
}

// BatchDelJobResult reads the outcome of a delete job.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99505
//
//meta:operation POST /cgi-bin/security/vip/batch_del_job_result
func (s *VIPService) BatchDelJobResult(ctx context.Context, jobID string) (*VIPJobResult, error) {
	return s.result(ctx, "security/vip/batch_del_job_result", jobID)
}

func (s *VIPService) submit(ctx context.Context, op string, userIDs []string) (*VIPJob, error) {
	if err := checkCount(op, "userid_list", len(userIDs), 1, MaxVIPUsersPerJob); err != nil {
		return nil, err
	}
	in := struct {
		UserIDs []string `json:"userid_list"`
	}{userIDs}
	var out VIPJob
	if err := s.client.post(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *VIPService) result(ctx context.Context, op, jobID string) (*VIPJobResult, error) {
	if err := required(op, "jobid", jobID); err != nil {
		return nil, err
	}
	in := struct {
		JobID string `json:"jobid"`
	}{jobID}
	var out struct {
		JobResult VIPJobResult `json:"job_result"`
	}
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out.JobResult, nil
}

// VIPPage is one page of members holding an advanced-feature account.
type VIPPage struct {
	UserIDs    []string `json:"userid_list"`
	HasMore    bool     `json:"has_more"`
	NextCursor string   `json:"next_cursor"`
}

// List fetches one page of members holding an advanced-feature account; limit 1..200, 0 for WeCom's default
// (100). Always check HasMore.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99506
//
//meta:operation POST /cgi-bin/security/vip/list
func (s *VIPService) List(ctx context.Context, cursor string, limit int) (*VIPPage, error) {
	const op = "security/vip/list"
	if err := checkLimit(op, limit, MaxVIPPageLimit); err != nil {
		return nil, err
	}
	in := struct {
		Cursor string `json:"cursor,omitempty"`
		Limit  int    `json:"limit,omitempty"`
	}{cursor, limit}
	var out VIPPage
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// All walks every member holding an advanced-feature account, MaxVIPPageLimit a page.
func (s *VIPService) All(ctx context.Context) iter.Seq2[string, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]string, string, bool, error) {
		p, err := s.List(ctx, cursor, MaxVIPPageLimit)
		if err != nil {
			return nil, "", false, err
		}
		return p.UserIDs, p.NextCursor, p.HasMore, nil
	})
}

// MaxVIPHolders bounds one walk of security/vip/list (Holders): no corp buys more accounts than this.
const MaxVIPHolders = 100_000

// Holders lists every member holding an advanced-feature account (at most MaxVIPHolders).
func (s *VIPService) Holders(ctx context.Context) ([]string, error) {
	return Collect(s.All(ctx), MaxVIPHolders)
}

// VIPOutcome is what a job did for one member.
type VIPOutcome int

// Outcomes of a job for one member.
const (
	VIPDone    VIPOutcome = iota // allocated (add) or revoked (delete)
	VIPFailed                    // WeCom could not: no seat left, or the member held no account
	VIPInvalid                   // WeCom left the userid out of the job
	VIPWaiting                   // no outcome read yet
)

// VIPRun is a submitted job and what became of its members, as far as it was read.
type VIPRun struct {
	JobID     string
	Invalid   []string // userids WeCom left out of the job
	Succ      []string
	Fail      []string
	Waiting   []string // submitted, without an outcome yet
	ResultErr error    // reading the result failed or was cut off; the job was submitted
}

// Outcome reports what the job did for userid (compared as WeCom compares userids, ignoring case).
func (r *VIPRun) Outcome(userid string) VIPOutcome {
	has := func(list []string) bool {
		for _, u := range list {
			if strings.EqualFold(u, userid) {
				return true
			}
		}
		return false
	}
	switch {
	case has(r.Invalid):
		return VIPInvalid
	case has(r.Succ):
		return VIPDone
	case has(r.Fail):
		return VIPFailed
	}
	return VIPWaiting
}

// VIPPollDelays are the waits before each read of a job's result: about 10 seconds in all. WeCom does not
// document how long a job runs (the emulator finishes it at submission).
var VIPPollDelays = []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
	2 * time.Second, 3 * time.Second, 3 * time.Second}

// Run submits an add (allocate) or delete (revoke) job for userIDs and reads its result, waiting
// VIPPollDelays between reads, until every member WeCom took has an outcome. Only a failed submission is an
// error: once the job is submitted, a result that could not be read is in ResultErr.
func (s *VIPService) Run(ctx context.Context, add bool, userIDs []string) (*VIPRun, error) {
	submit, result := s.SubmitBatchDelJob, s.BatchDelJobResult
	if add {
		submit, result = s.SubmitBatchAddJob, s.BatchAddJobResult
	}
	job, err := submit(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	r := &VIPRun{JobID: job.JobID, Invalid: job.InvalidUserIDs}
	for _, u := range userIDs {
		if r.Outcome(u) != VIPInvalid {
			r.Waiting = append(r.Waiting, u)
		}
	}
	valid := r.Waiting
	for _, delay := range VIPPollDelays {
		if len(r.Waiting) == 0 {
			break
		}
		if err := sleepCtx(ctx, delay); err != nil {
			r.ResultErr = err
			break
		}
		res, err := result(ctx, job.JobID)
		if err != nil {
			r.ResultErr = err
			break
		}
		r.Succ, r.Fail, r.Waiting = res.SuccUserIDs, res.FailUserIDs, nil
		for _, u := range valid {
			if o := r.Outcome(u); o != VIPDone && o != VIPFailed {
				r.Waiting = append(r.Waiting, u)
			}
		}
	}
	return r, nil
}
