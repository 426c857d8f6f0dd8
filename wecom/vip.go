package wecom

import (
	"context"
	"iter"
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

// All walks every member holding an advanced-feature account.
func (s *VIPService) All(ctx context.Context) iter.Seq2[string, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]string, string, bool, error) {
		p, err := s.List(ctx, cursor, 0)
		if err != nil {
			return nil, "", false, err
		}
		return p.UserIDs, p.NextCursor, p.HasMore, nil
	})
}
