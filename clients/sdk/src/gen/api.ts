// Generated from openapi.json by scripts/generate.ts (openapi-typescript): never edit.

export type paths = {
    "/admin/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an organization and its first admin token (root token only) */
        post: operations["createOrganization"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List integration tokens (never their secrets) */
        get: operations["listTokens"];
        put?: never;
        /** Create an integration token; the token is shown only in this answer */
        post: operations["createToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/token/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a token, at once */
        delete: operations["revokeToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The current session: who it is, and its CSRF token; 401 when there is none */
        get: operations["getSession"];
        put?: never;
        /**
         * Sign in: exchange a token for a session cookie (HttpOnly, SameSite=Strict)
         * @description Answers who the caller is and the CSRF token to send in x-taskforge-csrf with every unsafe request made with the cookie. JSON bodies only; a request from another origin is refused. The root token cannot sign in.
         */
        post: operations["createSession"];
        /** Sign out: ends the session for good and clears its cookie */
        delete: operations["deleteSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/quarantine": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List what the pipelines of every service set aside after failing (root token only) */
        get: operations["listQuarantine"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/quarantine/{service}/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run one quarantined item through its pipeline again (root token only)
         * @description Answers the item, now `replayed`; 409 INVALID_STATE with the error when it still fails (it stays quarantined).
         */
        post: operations["replayQuarantined"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/script": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List scripts (without their content) */
        get: operations["listScripts"];
        put?: never;
        /** Create a script from text (content) or base64 (data) */
        post: operations["createScript"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/script/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a script with its content; ETag is its version */
        get: operations["getScript"];
        /** Replace a script (If-Match: its version, optional) */
        put: operations["replaceScript"];
        post?: never;
        /** Delete a script no task runs */
        delete: operations["deleteScript"];
        options?: never;
        head?: never;
        /** Change some fields of a script (If-Match: its version, optional) */
        patch: operations["updateScript"];
        trace?: never;
    };
    "/{customer}/task": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List tasks (a JSON array), optionally by tag or bot */
        get: operations["listTasks"];
        put?: never;
        /** Create a task */
        post: operations["createTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/task/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a task; ETag is its version */
        get: operations["getTask"];
        /** Replace a task definition (If-Match: its version, optional) */
        put: operations["replaceTask"];
        post?: never;
        /** Delete a task (409 while a workflow runs it) */
        delete: operations["deleteTask"];
        options?: never;
        head?: never;
        /** Change some fields of a task (If-Match: its version, optional) */
        patch: operations["updateTask"];
        trace?: never;
    };
    "/{customer}/workflow": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List workflows at their latest version (a JSON array) */
        get: operations["listWorkflows"];
        put?: never;
        /** Create a workflow (version 1) */
        post: operations["createWorkflow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a workflow: its latest version, or ?version=N; ETag is the version */
        get: operations["getWorkflow"];
        /** Save a new version of a whole workflow (If-Match: its version, optional) */
        put: operations["replaceWorkflow"];
        post?: never;
        /** Delete a workflow and its versions */
        delete: operations["deleteWorkflow"];
        options?: never;
        head?: never;
        /** Save a new version changing some fields (If-Match: its version, optional) */
        patch: operations["updateWorkflow"];
        trace?: never;
    };
    "/{customer}/task/{id}/recipe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Export a task as a recipe (script embedded; no ids, secret, acls or env values) */
        get: operations["exportTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/task/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a task and its script from a recipe, on the bot host_id */
        post: operations["importTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/task/{id}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A task's secret key: { id, secret } */
        get: operations["getTaskCredentials"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/task/{id}/credentials/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace a task's secret key; the old one stops working at once */
        post: operations["rotateTaskCredentials"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/task/{id}/job": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a task (user role): answers the created job
         * @description At most 200 runs per token in one second by default (`GATEWAY_RUNS_PER_SECOND`; a run by secret key: per task and client address); past it, 429 with Retry-After.
         */
        post: operations["runTask"];
        /** Empty a task's queue: cancels every job not dispatched yet, answers how many */
        delete: operations["emptyTaskQueue"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/job": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List jobs, newest first, a page at a time
         * @description Filters combine. The answer is an array; when more jobs match, the x-next-cursor header (and Link rel="next") names the next page: ask again with cursor=<it> and the same filters.
         */
        get: operations["listJobs"];
        put?: never;
        /**
         * Run the task (or workflow) named by `task` (query or body; user role)
         * @description At most 200 runs per token in one second by default (`GATEWAY_RUNS_PER_SECOND`; a run by secret key: per task and client address); past it, 429 with Retry-After.
         */
        post: operations["runNamedTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/job": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the task (or workflow) named by `task`, of the organization named by `customer` (query or body; user role)
         * @description At most 200 runs per token in one second by default (`GATEWAY_RUNS_PER_SECOND`; a run by secret key: per task and client address); past it, 429 with Retry-After.
         */
        post: operations["runTaskOfOrganization"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/task/{id}/secret/{secret}/job": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a task with its secret key (no token)
         * @description At most 200 runs per token in one second by default (`GATEWAY_RUNS_PER_SECOND`; a run by secret key: per task and client address); past it, 429 with Retry-After.
         */
        post: operations["runTaskWithSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/job/secret/{secret}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run the task (or workflow) named by `task` with its secret key; `customer`, `task` and `task_arguments[]` as JSON or an HTML form
         * @description At most 200 runs per token in one second by default (`GATEWAY_RUNS_PER_SECOND`; a run by secret key: per task and client address); past it, 429 with Retry-After.
         */
        post: operations["runNamedTaskWithSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/{id}/job": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the runs of a workflow, newest first, a page at a time
         * @description The answer is an array of runs as GET /:customer/workflow/job/:id shows them; when more follow, the x-next-cursor header (and Link rel="next") names the next page: ask again with cursor=<it>.
         */
        get: operations["listWorkflowRuns"];
        put?: never;
        /**
         * Run a workflow (user role): answers the run, pinned to the workflow’s latest version
         * @description The body is a run’s: `task_arguments` are the run’s own arguments (`$run` in argument mappings). At most 200 runs per token in one second, as for tasks; a run whose start node’s task or organization has too many jobs not started is refused (429). `Idempotency-Key` and `wait_result` as for a task’s run.
         */
        post: operations["runWorkflow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/{id}/secret/{secret}/job": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a workflow with its secret key (no token): answers the run
         * @description As POST /:customer/workflow/:id/job, with the workflow’s secret key instead of a token (GET /:customer/workflow/:id/credentials); a wrong key, an unknown workflow and another organization’s all answer 401. Counted per workflow and client address against the runs-per-second quota.
         */
        post: operations["runWorkflowWithSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/{id}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A workflow's secret key, for runs without a token: { id, secret } ('' for a workflow created before workflows had one: rotate it) */
        get: operations["getWorkflowCredentials"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/{id}/credentials/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace a workflow's secret key; the old one stops working at once (the workflow's version stays) */
        post: operations["rotateWorkflowCredentials"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/job/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a workflow run: shown like a job, with each node’s state and jobs */
        get: operations["getWorkflowRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/job/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Cancel a workflow run: every live job of the run is canceled (as PUT /:customer/job/:id/cancel does); the run ends canceled once they ended */
        put: operations["cancelWorkflowRun"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/workflow/job/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry a failed or canceled workflow run from the nodes that did not succeed, on its pinned version; nodes that succeeded keep their outputs and do not run again */
        post: operations["retryWorkflowRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/job/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Approve a waiting approval step of a workflow run: once it has its `required` approvals it ends success and the run goes on along its `success` edges
         * @description Only the step’s approvers (token names, roles at least, `key:value` tags; empty: who may run the workflow) vote, each once, and never the token that started the run.
         */
        put: operations["approveJob"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/job/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Reject a waiting approval step of a workflow run: one rejection ends it failure, and the run goes on along its `failure` edges
         * @description Only the step’s approvers (token names, roles at least, `key:value` tags; empty: who may run the workflow) vote, each once, and never the token that started the run.
         */
        put: operations["rejectJob"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/job/{id}/input": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Answer a waiting input step of a workflow run: the answers, checked against its form, become its output (later nodes take them with `{ "from": "<key>", "output": "<label>" }`)
         * @description One answer ends the step success. Who may answer: as for approve. A label the form does not have, a required field left out, a value that is not one of a field’s options are 422.
         */
        put: operations["answerJob"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/inbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The steps of workflow runs that wait for the caller: approvals and inputs it may decide and has not voted on, of workflows it sees, newest first
         * @description When more steps wait, the x-next-cursor header (and Link rel="next") names the next page: ask again with cursor=<it>.
         */
        get: operations["listInbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/job/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a job */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/task/{id}/schedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a task's schedules */
        get: operations["listTaskSchedules"];
        put?: never;
        /**
         * Schedule a task: runs it on a cron, in a time zone
         * @description An organization has at most 1000 schedules by default (`MAX_SCHEDULES_PER_ORGANIZATION`); past it, 429. See docs/schedules.md for the daylight-saving rules.
         */
        post: operations["createSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/schedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the organization's schedules (of the tasks the caller sees) */
        get: operations["listSchedules"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/schedule/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a schedule */
        get: operations["getSchedule"];
        put?: never;
        post?: never;
        /** Delete a schedule (its jobs stay) */
        delete: operations["deleteSchedule"];
        options?: never;
        head?: never;
        /** Change a schedule: the fields given; `enabled: false` pauses it, `enabled: true` resumes it (what passed meanwhile is not replayed). If-Match: its revision, optional (412 when it moved) */
        patch: operations["updateSchedule"];
        trace?: never;
    };
    "/{customer}/schedule/{id}/trigger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fire a schedule now, under its overlap policy (also when paused); answers the fire's record */
        post: operations["triggerSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/schedule/{id}/backfill": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Fire every scheduled time of a past range [from, to], under the overlap policy; at most 1000 fires, and a time backfilled already is not fired again */
        post: operations["backfillSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/schedule/{id}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The next fire times after `from` (default now), computed only; also for a paused schedule */
        get: operations["previewSchedule"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/schedule/{id}/fires": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A schedule's fires, newest first: scheduled time, outcome (started, skipped_overlap, buffered, missed, failed_to_start), job and reason */
        get: operations["listScheduleFires"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/job/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Cancel a job: one not started ends at once; a running one is killed on its bot (SIGTERM to its process group, then SIGKILL) and ends canceled */
        put: operations["cancelJob"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/job/{id}/log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's output (stdout and stderr as they came) as UTF-8 text, U+FFFD standing for what text cannot hold (bytes that are not UTF-8, NUL); with raw=true, the exact bytes the script wrote; with follow=true, streamed (chunked) while the job runs, until it ends; with offset and limit, or tail, a range of its lines as JSON with the total line count (also in X-Taskforge-Total-Lines), so a viewer opens a long log at its end and scrolls by ranges */
        get: operations["getJobLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/bot": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List bots with presence */
        get: operations["listBots"];
        put?: never;
        /** Register a bot; answers its credentials (the agent credentials file) once */
        post: operations["registerBot"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/bot/{id}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace a bot's credentials, answered once; its old secret and NATS user stop working at once (open connections are closed) */
        post: operations["rotateBotCredentials"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/bot/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a bot: its NATS user is revoked at once (open connections are closed), its jobs not yet ended are canceled or ended as errors */
        delete: operations["deleteBot"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/subscription": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List subscriptions */
        get: operations["listSubscriptions"];
        put?: never;
        /**
         * Subscribe a URL to events; answers its token and signing secret, and sends it a ping
         * @description An organization has at most 100 subscriptions by default (`WEBHOOK_MAX_SUBSCRIPTIONS`); past it, 429.
         */
        post: operations["createSubscription"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/subscription/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a subscription */
        get: operations["getSubscription"];
        put?: never;
        post?: never;
        /** Delete a subscription and its deliveries */
        delete: operations["deleteSubscription"];
        options?: never;
        head?: never;
        /** Change a subscription (url, events, description; enabled: true turns it back on) */
        patch: operations["updateSubscription"];
        trace?: never;
    };
    "/{customer}/subscription/{id}/secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the signing secret; the old one keeps signing beside it for 24 hours */
        post: operations["rotateSubscriptionSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/subscription/{id}/delivery": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deliveries of a subscription, newest first, with every attempt */
        get: operations["listDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/subscription/{id}/delivery/{delivery}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a delivery again now (answers at once; the attempt shows in the delivery list) */
        post: operations["retryDelivery"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/webhook": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List incoming webhooks */
        get: operations["listWebhooks"];
        put?: never;
        /** Create an incoming webhook; answers its id and secret (the trigger URL holds both) */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/webhook/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an incoming webhook */
        get: operations["getWebhook"];
        put?: never;
        post?: never;
        /** Delete an incoming webhook; its trigger URL stops working at once */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/webhook/{id}/trigger/secret/{secret}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Fire an incoming webhook (no token: the secret is the credential); the body (JSON, a form or nothing) is the payload
         * @description The payload, as JSON text, is at most 262144 bytes (webhook payload size): past it, 413.
         */
        post: operations["fireWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/{customer}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live events of the organization (server-sent events), resumable with Last-Event-ID
         * @description Server-sent events (text/event-stream) of one organization, filtered by what the caller sees (a task's acls hide its jobs and it). Each event is a notification: `event` is `job`, `task`, `schedule`, `workflow`, `workflow_run` or `bot`; `data` is JSON `{ type, id, customer, occurred_at, task_id?, workflow_id?, lifecycle?, state? }` (type as `job.finished`, `task.updated`, `schedule.fired`, `workflow_run.nodeEnded`, `bot.cameOnline`), a `schedule.fired` adds `outcome`, `kind`, `scheduled_for` and `job_id` when it started one, and a `workflow_run` event of a node adds `node` and `node_state` (`job_id` when it started a job); workflows and their runs are filtered by the workflow's acls; read the object again to show it. `id` is the event's position: reconnect with `Last-Event-ID` (or `last_event_id`) to receive what was missed; when it can no longer be replayed, an `event: reset` says to read everything again. A comment line is sent every 15 s. Bounds: open streams per organization (GATEWAY_EVENT_STREAMS_PER_ORGANIZATION, 429) and per gateway (503), an hour per stream, and a reader that falls 1 MiB behind is dropped.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
};
export type webhooks = Record<string, never>;
export type components = {
    schemas: {
        /**
         * @example {
         *       "statusCode": 404,
         *       "code": "NOT_FOUND",
         *       "message": "task 0197d2e4-… not found"
         *     }
         */
        Error: {
            /** @description the HTTP status, repeated */
            statusCode: number;
            /** @description stable and machine-readable: NOT_FOUND, VALIDATION_FAILED, LIMIT_EXCEEDED, CONFLICT, ... */
            code: string;
            /** @description what is wrong, for a person */
            message: string;
            /** @description more about it, such as the `field` at fault or the `limit` passed */
            details?: {
                [key: string]: unknown;
            };
        };
        /**
         * @example {
         *       "id": "0197d2e4-5b0c-7c39-9f3e-2a1b4c5d6e7f",
         *       "customer": "demo",
         *       "name": "say hello",
         *       "host_id": "0197d2e0-11aa-7b2c-8d3e-4f5a6b7c8d9e",
         *       "script_id": "0197d2e3-22bb-7c3d-9e4f-5a6b7c8d9e0f",
         *       "tags": [],
         *       "task_arguments": [
         *         {
         *           "order": 0,
         *           "type": "input",
         *           "label": "who",
         *           "value": null,
         *           "required": false
         *         }
         *       ],
         *       "run_as": "",
         *       "description": "",
         *       "acls": [],
         *       "triggers": [],
         *       "grace_time": 0,
         *       "timeout": 600,
         *       "multitasking": true,
         *       "env": {},
         *       "secret_env": {},
         *       "version": 1,
         *       "creation_date": "2026-05-02T10:00:00.000Z",
         *       "last_update": "2026-05-02T10:00:00.000Z"
         *     }
         */
        Task: {
            id: string;
            customer: string;
            name: string;
            /** @description the bot that runs it */
            host_id: string;
            script_id: string;
            tags: string[];
            task_arguments: {
                [key: string]: unknown;
            }[];
            run_as: string;
            description: string;
            acls: string[];
            triggers: {
                [key: string]: unknown;
            }[];
            /** @description seconds */
            grace_time: number;
            /** @description seconds */
            timeout: number;
            multitasking: boolean;
            /** @description Values are shown to admins only; others see "****" */
            env: {
                [key: string]: string;
            };
            /** @description The names of the write-only variables, each with "****" */
            secret_env: {
                [key: string]: string;
            };
            /** @description also its ETag; If-Match on a write */
            version: number;
            /** Format: date-time */
            creation_date: string | null;
            /** Format: date-time */
            last_update: string | null;
        } & {
            [key: string]: unknown;
        };
        Script: {
            id: string;
            customer: string;
            filename: string;
            description: string;
            /** @description the script as text, when it is UTF-8 (not in lists) */
            content?: string;
            /** @description the script as base64, when it is not UTF-8 (not in lists) */
            data?: string;
            version: number;
            /** Format: date-time */
            creation_date: string | null;
            /** Format: date-time */
            last_update: string | null;
        } & {
            [key: string]: unknown;
        };
        /**
         * @example {
         *       "id": "0197d2e5-0a1b-7c2d-8e3f-4a5b6c7d8e9f",
         *       "task_id": "0197d2e4-5b0c-7c39-9f3e-2a1b4c5d6e7f",
         *       "name": "say hello",
         *       "customer": "demo",
         *       "host_id": "0197d2e0-11aa-7b2c-8d3e-4f5a6b7c8d9e",
         *       "lifecycle": "finished",
         *       "state": "success",
         *       "task_arguments_values": [
         *         "world"
         *       ],
         *       "output": [
         *         "hello world"
         *       ],
         *       "result": {
         *         "code": 0,
         *         "signal": null,
         *         "killed": false,
         *         "log": "hello world\n",
         *         "lastline": "hello world"
         *       },
         *       "origin": "api",
         *       "creation_date": "2026-05-02T10:00:01.000Z",
         *       "last_update": "2026-05-02T10:00:01.200Z"
         *     }
         */
        Job: {
            id: string;
            task_id: string;
            name: string;
            customer: string;
            host_id: string;
            /** @description GET /:customer/job/:id only, for a job that waits: why (on_hold: a triggered run in its grace time, until `until`; bot_offline: its bot is offline; task_busy: the task runs one job at a time and another runs; queued). The one source of this reason: the console shows `message` as it is. */
            waiting_reason?: {
                /** @enum {string} */
                code: "on_hold" | "bot_offline" | "task_busy" | "queued";
                /** @description the reason in words, for people */
                message: string;
                /**
                 * Format: date-time
                 * @description on_hold only: when the grace time ends and the run is released
                 */
                until?: string;
            };
            /**
             * @description finished, terminated and canceled are ends; waiting: an approval or input step of a workflow run, which no bot runs, waits for people
             * @enum {string}
             */
            lifecycle: "onhold" | "ready" | "assigned" | "finished" | "terminated" | "canceled" | "waiting";
            /** @description in_progress, then success, failure, timeout, canceled or error */
            state: string;
            task_arguments_values: string[];
            /** @description the workflow run whose node the job is (origin workflow); absent for a job of no run */
            workflow_run_id?: string;
            /** @description that node’s key; absent for a job of no run */
            workflow_node?: string;
            /** @description The output's lines (or what the script's last-line verdict states); U+FFFD stands for what text cannot hold */
            output: string[];
            /** @description `{ code, signal, killed, log, lastline }` (`log`: the last 64 KiB of the output), with `reason` when there is one, `truncated_bytes` when the bot dropped output past its limit, and `abridged: true` when the log, the output lines or the last line were cut (GET .../log has all the output); `{}` until the job ends */
            result: {
                /** @description the exit code; null when a signal ended it */
                code?: number | null;
                signal?: string | null;
                killed?: boolean;
                log?: string;
                lastline?: string;
                reason?: string;
                truncated_bytes?: number;
                abridged?: boolean;
            } & {
                [key: string]: unknown;
            };
            /** @description api, secret, trigger, webhook, schedule, ... */
            origin: string;
            /** Format: date-time */
            creation_date: string | null;
            /** Format: date-time */
            last_update: string | null;
            /** @description The schedule whose fire started the job; absent when no schedule did (origin schedule) */
            schedule_id?: string;
            /**
             * Format: date-time
             * @description The time that fire was scheduled for; absent when no schedule started the job
             */
            scheduled_for?: string;
        } & {
            [key: string]: unknown;
        };
        TaskCredentials: {
            id: string;
            /** @description 64 hex characters */
            secret: string;
        };
        Bot: {
            id: string;
            name: string;
            customer: string;
            online: boolean;
            /** Format: date-time */
            last_seen: string | null;
            /** @description how many jobs it runs now */
            running_jobs: number;
            /** @description the jobs assigned to it and not ended that the caller sees (at most 100 per bot) */
            running?: {
                id: string;
                task_id: string;
                name: string;
                lifecycle: string;
                state: string;
            }[];
            /** Format: date-time */
            creation_date: string | null;
        } & {
            [key: string]: unknown;
        };
        /** @description The agent's credentials file (`npm run bot -- --credentials <file>`): shown once */
        BotCredentials: {
            id: string;
            name: string;
            customer: string;
            secret: string;
            nats_url: string;
            nats_user?: string;
            nats_password?: string;
            nats_jwt?: string;
            nats_seed?: string;
            nats_inbox_prefix?: string;
            dispatch_subject: string;
            report_subject: string;
            dispatch_stream?: string;
            dispatch_consumer?: string;
        } & {
            [key: string]: unknown;
        };
        Token: {
            id: string;
            name: string;
            /** @enum {string} */
            role: "viewer" | "user" | "admin";
            tags: string[];
            /** Format: date-time */
            creation_date: string;
        };
        IssuedToken: {
            id: string;
            name: string;
            /** @enum {string} */
            role: "viewer" | "user" | "admin";
            /** @description the secret: shown only in this answer */
            token: string;
        };
        CreatedOrganization: {
            id: string;
            name: string;
            /** @description its first admin token: shown only in this answer */
            admin_token: string;
        };
        Subscription: {
            id: string;
            customer: string;
            url: string;
            /** @description empty: every event */
            events: string[];
            description: string;
            /** @description sent as ?token= with every delivery */
            token: string;
            /** @description signs every delivery (Standard Webhooks); starts with whsec_ */
            secret: string;
            enabled: boolean;
            disabled_reason?: string | null;
            /** Format: date-time */
            previous_secret_expires_at?: string | null;
            version: number;
            /** Format: date-time */
            creation_date?: string | null;
            /** Format: date-time */
            last_update?: string | null;
        } & {
            [key: string]: unknown;
        };
        Delivery: {
            id: string;
            subscription_id: string;
            event_id: string;
            event_name: string;
            /** @description pending, succeeded or failed */
            status: string;
            attempt_count: number;
            /** Format: date-time */
            next_attempt_at?: string | null;
            /** Format: date-time */
            creation_date?: string | null;
            /** Format: date-time */
            last_update?: string | null;
            attempts: ({
                number?: number;
                /** Format: date-time */
                started_at?: string | null;
                duration_ms?: number;
                status_code?: number | null;
                outcome?: string;
                response_excerpt?: string;
                error?: string | null;
            } & {
                [key: string]: unknown;
            })[];
        } & {
            [key: string]: unknown;
        };
        Webhook: {
            id: string;
            customer: string;
            name: string;
            secret: string;
            /** @description POST here (no token) to fire it */
            trigger_path: string;
            fired_count: number;
            /** Format: date-time */
            last_fired_at?: string | null;
            version: number;
            /** Format: date-time */
            creation_date?: string | null;
            /** Format: date-time */
            last_update?: string | null;
        } & {
            [key: string]: unknown;
        };
        Workflow: {
            id: string;
            customer: string;
            name: string;
            description: string;
            nodes: ({
                key: string;
                task?: string;
                approval?: {
                    [key: string]: unknown;
                };
                input?: {
                    [key: string]: unknown;
                };
                arguments: unknown[];
                timeout: number;
                retry: {
                    [key: string]: unknown;
                };
                join: string;
            } & {
                [key: string]: unknown;
            })[];
            edges: {
                from: string;
                to: string;
                on: string;
            }[];
            start: string;
            acls: string[];
            /** @description Values are shown to admins only; others see "****" */
            env: {
                [key: string]: string;
            };
            triggers: {
                [key: string]: unknown;
            }[];
            /** @description seconds */
            grace_time: number;
            multitasking: boolean;
            /** @description the version of the definition: 1, then one more per save that changed it; also its ETag */
            version: number;
            /** Format: date-time */
            creation_date: string | null;
            /**
             * Format: date-time
             * @description when this version was saved
             */
            last_update: string | null;
        } & {
            [key: string]: unknown;
        };
        WorkflowRun: {
            id: string;
            customer: string;
            workflow_id: string;
            /** @description the version of the workflow the run follows to its end, retries included */
            version: number;
            /**
             * @description ready while the run waits for its turn (a workflow with multitasking false runs one run at a time) or for the grace time of the trigger that started it, assigned while it goes on; finished and canceled are ends
             * @enum {string}
             */
            lifecycle: "ready" | "assigned" | "finished" | "canceled";
            /** @enum {string} */
            state: "in_progress" | "success" | "failure" | "canceled";
            /** @description only while the run waits: why (workflow_busy: another run of the workflow is live; grace_time: a trigger started it with the grace time of its workflow, until hold_until) */
            waiting_reason?: {
                /** @enum {string} */
                code: "workflow_busy" | "grace_time";
                /** @description the reason in words, naming the run it waits for */
                message: string;
            };
            /**
             * Format: date-time
             * @description only while a triggered run waits for its grace time: when it starts
             */
            hold_until?: string;
            /** @description the run’s own arguments (`$run` in argument mappings) */
            task_arguments_values: string[];
            origin: string;
            /** @description every node of the pinned version, in its order */
            nodes: {
                key: string;
                /** @enum {string} */
                state: "pending" | "running" | "succeeded" | "failed" | "skipped" | "canceled" | "waiting" | "expired";
                /** @description the node’s latest job (GET /:customer/job/:id) */
                job_id: string | null;
                /** @description every job of the node, oldest first */
                job_ids: string[];
                /** @description why the node failed, or waits for a retry */
                reason?: string;
            }[];
            /** @description why the run failed (the node that failed) or was canceled */
            reason?: string;
            /** Format: date-time */
            creation_date: string | null;
            /** Format: date-time */
            last_update: string | null;
            /** Format: date-time */
            ended_at: string | null;
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
};
export type $defs = Record<string, never>;
export interface operations {
    createOrganization: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 63 bytes of UTF-8 (organization name size) */
                    name: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedOrganization"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Token"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 100 bytes of UTF-8 (token name size) */
                    name: string;
                    /** @enum {string} */
                    role?: "viewer" | "user" | "admin";
                    /** @description At most 50 items (token tag count) */
                    tags?: string[];
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedToken"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    revokeToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Who the session is: the organization, role and token it stands for, and its CSRF token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the organization */
                        customer: string;
                        /** @enum {string} */
                        role: "viewer" | "user" | "admin";
                        /** @description the token's name */
                        name: string;
                        token_id: string;
                        tags: string[];
                        /**
                         * Format: date-time
                         * @description when the session ends by itself
                         */
                        expires_at: string;
                        /** @description send it back in the x-taskforge-csrf header of every POST, PUT, PATCH and DELETE made with the session cookie */
                        csrf_token: string;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    token: string;
                };
            };
        };
        responses: {
            /** @description Who the session is: the organization, role and token it stands for, and its CSRF token */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the organization */
                        customer: string;
                        /** @enum {string} */
                        role: "viewer" | "user" | "admin";
                        /** @description the token's name */
                        name: string;
                        token_id: string;
                        tags: string[];
                        /**
                         * Format: date-time
                         * @description when the session ends by itself
                         */
                        expires_at: string;
                        /** @description send it back in the x-taskforge-csrf header of every POST, PUT, PATCH and DELETE made with the session cookie */
                        csrf_token: string;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listQuarantine: {
        parameters: {
            query?: {
                service?: "gateway" | "task-catalog" | "job-scheduler" | "bot-dispatch" | "webhook-relay";
                status?: "quarantined" | "replayed";
                pipeline?: string;
                /** @description Items after this id, for the next page of one service */
                after?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items?: {
                            service?: string;
                            id?: string;
                            /** @description projection:<name>, outbox:<relay> or consumer:<stream>/<durable> */
                            pipeline?: string;
                            /** @enum {string} */
                            kind?: "event" | "message";
                            key?: string;
                            customer?: string | null;
                            stream_type?: string | null;
                            stream_id?: string | null;
                            event_type?: string | null;
                            stream_version?: number | null;
                            subject?: string | null;
                            stream_sequence?: number | null;
                            size_bytes?: number;
                            error?: string;
                            attempts?: number;
                            /** @enum {string} */
                            status?: "quarantined" | "replayed";
                            times?: number;
                            /** Format: date-time */
                            first_quarantined_at?: string | null;
                            /** Format: date-time */
                            quarantined_at?: string | null;
                            /** Format: date-time */
                            replayed_at?: string | null;
                            replay_error?: string | null;
                        }[];
                        unavailable?: {
                            service?: string;
                            error?: string;
                        }[];
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    replayQuarantined: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                service: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        service?: string;
                        id?: string;
                        /** @description projection:<name>, outbox:<relay> or consumer:<stream>/<durable> */
                        pipeline?: string;
                        /** @enum {string} */
                        kind?: "event" | "message";
                        key?: string;
                        customer?: string | null;
                        stream_type?: string | null;
                        stream_id?: string | null;
                        event_type?: string | null;
                        stream_version?: number | null;
                        subject?: string | null;
                        stream_sequence?: number | null;
                        size_bytes?: number;
                        error?: string;
                        attempts?: number;
                        /** @enum {string} */
                        status?: "quarantined" | "replayed";
                        times?: number;
                        /** Format: date-time */
                        first_quarantined_at?: string | null;
                        /** Format: date-time */
                        quarantined_at?: string | null;
                        /** Format: date-time */
                        replayed_at?: string | null;
                        replay_error?: string | null;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listScripts: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Script"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createScript: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "filename": "hello.sh",
                 *       "content": "#!/bin/sh\necho \"hello $1\"\n"
                 *     }
                 */
                "application/json": {
                    /** @description At most 255 bytes of UTF-8 (script filename size) */
                    filename: string;
                    /** @description At most 16384 bytes of UTF-8 (script description size) */
                    description?: string;
                    /** @description The script as text. At most 262144 bytes of UTF-8 (script size) */
                    content?: string;
                    /** @description The script as base64: what it decodes to at most 262144 bytes (script size) */
                    data?: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Script"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScript: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Script"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    replaceScript: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 255 bytes of UTF-8 (script filename size) */
                    filename: string;
                    /** @description At most 16384 bytes of UTF-8 (script description size) */
                    description?: string;
                    /** @description The script as text. At most 262144 bytes of UTF-8 (script size) */
                    content?: string;
                    /** @description The script as base64: what it decodes to at most 262144 bytes (script size) */
                    data?: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Script"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteScript: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateScript: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 255 bytes of UTF-8 (script filename size) */
                    filename?: string;
                    /** @description At most 16384 bytes of UTF-8 (script description size) */
                    description?: string;
                    /** @description The script as text. At most 262144 bytes of UTF-8 (script size) */
                    content?: string;
                    /** @description The script as base64: what it decodes to at most 262144 bytes (script size) */
                    data?: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Script"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTasks: {
        parameters: {
            query?: {
                /** @description only tasks with this tag */
                tag?: string;
                /** @description only tasks of this bot */
                host_id?: string;
                /** @description same as host_id */
                host?: string;
            };
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        /** @description Every text of the task together: at most 524288 bytes (task definition total size) */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "say hello",
                 *       "host_id": "0197d2e0-11aa-7b2c-8d3e-4f5a6b7c8d9e",
                 *       "script_id": "0197d2e3-22bb-7c3d-9e4f-5a6b7c8d9e0f",
                 *       "task_arguments": [
                 *         {
                 *           "order": 0,
                 *           "type": "input",
                 *           "label": "who"
                 *         }
                 *       ],
                 *       "timeout": 60
                 *     }
                 */
                "application/json": {
                    /** @description At most 200 bytes of UTF-8 (task name size) */
                    name: string;
                    /** @description At most 100 bytes of UTF-8 (id size) */
                    host_id: string;
                    /** @description At most 100 bytes of UTF-8 (id size) */
                    script_id: string;
                    /** @description At most 100 items (tag count) */
                    tags?: string[];
                    /** @description At most 100 items (argument definition count) */
                    task_arguments?: {
                        order?: number;
                        /** @description At most 50 bytes of UTF-8 (argument type size) */
                        type: string;
                        /** @description At most 200 bytes of UTF-8 (argument label size) */
                        label?: string;
                        /** @description The value of a fixed argument, or the default of the others */
                        value?: string | (number | boolean | (never | null));
                        required?: boolean;
                        /** @description At most 100 items (argument option count) */
                        options?: (string | (number | boolean))[];
                    }[];
                    /** @description At most 1024 bytes of UTF-8 (run_as size) */
                    run_as?: string;
                    /** @description At most 16384 bytes of UTF-8 (task description size) */
                    description?: string;
                    /** @description At most 200 items (acl count) */
                    acls?: string[];
                    /** @description At most 50 items (trigger count) */
                    triggers?: {
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        task_id?: string;
                        /** @enum {string} */
                        event?: "success" | "failure";
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        webhook_id?: string;
                    }[];
                    grace_time?: number;
                    timeout?: number;
                    multitasking?: boolean;
                    env?: {
                        [key: string]: string | number | boolean;
                    } | string;
                    /** @description Write-only variables, beside env (a name is in one or the other): a value sets one, null removes it, "****" (as answers show every value) keeps it; names not given keep theirs. Their values are never shown again, and are replaced by "****" in what the job prints. They count with env against its limits. At most 200 entries (env entry count) */
                    secret_env?: {
                        [key: string]: string | null;
                    };
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    replaceTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        /** @description Every text of the task together: at most 524288 bytes (task definition total size) */
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 200 bytes of UTF-8 (task name size) */
                    name: string;
                    /** @description At most 100 bytes of UTF-8 (id size) */
                    host_id: string;
                    /** @description At most 100 bytes of UTF-8 (id size) */
                    script_id: string;
                    /** @description At most 100 items (tag count) */
                    tags?: string[];
                    /** @description At most 100 items (argument definition count) */
                    task_arguments?: {
                        order?: number;
                        /** @description At most 50 bytes of UTF-8 (argument type size) */
                        type: string;
                        /** @description At most 200 bytes of UTF-8 (argument label size) */
                        label?: string;
                        /** @description The value of a fixed argument, or the default of the others */
                        value?: string | (number | boolean | (never | null));
                        required?: boolean;
                        /** @description At most 100 items (argument option count) */
                        options?: (string | (number | boolean))[];
                    }[];
                    /** @description At most 1024 bytes of UTF-8 (run_as size) */
                    run_as?: string;
                    /** @description At most 16384 bytes of UTF-8 (task description size) */
                    description?: string;
                    /** @description At most 200 items (acl count) */
                    acls?: string[];
                    /** @description At most 50 items (trigger count) */
                    triggers?: {
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        task_id?: string;
                        /** @enum {string} */
                        event?: "success" | "failure";
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        webhook_id?: string;
                    }[];
                    grace_time?: number;
                    timeout?: number;
                    multitasking?: boolean;
                    env?: {
                        [key: string]: string | number | boolean;
                    } | string;
                    /** @description Write-only variables, beside env (a name is in one or the other): a value sets one, null removes it, "****" (as answers show every value) keeps it; names not given keep theirs. Their values are never shown again, and are replaced by "****" in what the job prints. They count with env against its limits. At most 200 entries (env entry count) */
                    secret_env?: {
                        [key: string]: string | null;
                    };
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a workflow runs the task: `details.workflows` names each (id, name) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        /** @description Every text of the task together: at most 524288 bytes (task definition total size) */
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 200 bytes of UTF-8 (task name size) */
                    name?: string;
                    /** @description At most 100 bytes of UTF-8 (id size) */
                    host_id?: string;
                    /** @description At most 100 bytes of UTF-8 (id size) */
                    script_id?: string;
                    /** @description At most 100 items (tag count) */
                    tags?: string[];
                    /** @description At most 100 items (argument definition count) */
                    task_arguments?: {
                        order?: number;
                        /** @description At most 50 bytes of UTF-8 (argument type size) */
                        type: string;
                        /** @description At most 200 bytes of UTF-8 (argument label size) */
                        label?: string;
                        /** @description The value of a fixed argument, or the default of the others */
                        value?: string | (number | boolean | (never | null));
                        required?: boolean;
                        /** @description At most 100 items (argument option count) */
                        options?: (string | (number | boolean))[];
                    }[];
                    /** @description At most 1024 bytes of UTF-8 (run_as size) */
                    run_as?: string;
                    /** @description At most 16384 bytes of UTF-8 (task description size) */
                    description?: string;
                    /** @description At most 200 items (acl count) */
                    acls?: string[];
                    /** @description At most 50 items (trigger count) */
                    triggers?: {
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        task_id?: string;
                        /** @enum {string} */
                        event?: "success" | "failure";
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        webhook_id?: string;
                    }[];
                    grace_time?: number;
                    timeout?: number;
                    multitasking?: boolean;
                    env?: {
                        [key: string]: string | number | boolean;
                    } | string;
                    /** @description Write-only variables, beside env (a name is in one or the other): a value sets one, null removes it, "****" (as answers show every value) keeps it; names not given keep theirs. Their values are never shown again, and are replaced by "****" in what the job prints. They count with env against its limits. At most 200 entries (env entry count) */
                    secret_env?: {
                        [key: string]: string | null;
                    };
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWorkflows: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        /** @description The whole definition as stored: at most 524288 bytes (workflow definition size) */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "release",
                 *       "nodes": [
                 *         {
                 *           "key": "build",
                 *           "task": "0197d2e4-5b0c-7c39-9f3e-2a1b4c5d6e7f",
                 *           "arguments": [
                 *             {
                 *               "from": "$run",
                 *               "output": 0
                 *             }
                 *           ]
                 *         },
                 *         {
                 *           "key": "approve",
                 *           "approval": {
                 *             "approvers": [
                 *               "ops"
                 *             ],
                 *             "required": 1
                 *           }
                 *         },
                 *         {
                 *           "key": "deploy",
                 *           "task": "0197d2e5-6c1d-7d4a-8f4e-3b2c5d6e7f80",
                 *           "arguments": [
                 *             {
                 *               "from": "build",
                 *               "output": 0
                 *             }
                 *           ]
                 *         }
                 *       ],
                 *       "edges": [
                 *         {
                 *           "from": "build",
                 *           "to": "approve",
                 *           "on": "success"
                 *         },
                 *         {
                 *           "from": "approve",
                 *           "to": "deploy",
                 *           "on": "success"
                 *         }
                 *       ],
                 *       "start": "build"
                 *     }
                 */
                "application/json": {
                    /** @description At most 200 bytes of UTF-8 (task name size) */
                    name: string;
                    /** @description At most 16384 bytes of UTF-8 (task description size) */
                    description?: string;
                    /** @description At most 100 items (workflow node count) */
                    nodes: {
                        /** @description Letters, digits, '_', '.' and '-'. At most 100 bytes of UTF-8 (workflow node key size) */
                        key: string;
                        /** @description The id of the task the node runs. At most 100 bytes of UTF-8 (id size) */
                        task?: string;
                        approval?: {
                            /** @description Token names, roles or key:value tags that may decide. At most 50 items (workflow approver count) */
                            approvers?: string[];
                            /** @description Approvals needed (0: 1) */
                            required?: number;
                            /** @description Seconds until the step ends `expired` (0: 72 hours) */
                            expires_in?: number;
                        };
                        input?: {
                            /** @description The fields asked, as task arguments are defined; the answers become the output. At most 100 items (argument definition count) */
                            form?: {
                                order?: number;
                                /** @description At most 50 bytes of UTF-8 (argument type size) */
                                type: string;
                                /** @description At most 200 bytes of UTF-8 (argument label size) */
                                label?: string;
                                /** @description The value of a fixed argument, or the default of the others */
                                value?: string | (number | boolean | (never | null));
                                required?: boolean;
                                /** @description At most 100 items (argument option count) */
                                options?: (string | (number | boolean))[];
                            }[];
                            /** @description Token names, roles or key:value tags that may decide. At most 50 items (workflow approver count) */
                            approvers?: string[];
                            /** @description Seconds until the step ends `expired` (0: 72 hours) */
                            expires_in?: number;
                        };
                        /** @description One per non-fixed argument of the task, in order, as a run gives them. At most 1000 items (task argument count) */
                        arguments?: ({
                            /** @description The key of a node that runs before this one, or `$run` for the run's own arguments. At most 100 bytes of UTF-8 (workflow node key size) */
                            from: string;
                            /** @description A line of the node's output by its index (0 to 999), or an input step's answer by its field's label. At most 200 bytes of UTF-8 (argument label size) */
                            output?: number | string;
                        } | string | (number | boolean | (never | null)))[];
                        /** @description Seconds (0: the task's own) */
                        timeout?: number;
                        retry?: {
                            /** @description Attempts after the first */
                            max?: number;
                            /** @description Seconds before the first retry, doubled for each next one */
                            backoff?: number;
                        };
                        /**
                         * @description Over several incoming edges (default all)
                         * @enum {string}
                         */
                        join?: "all" | "any";
                    }[];
                    /** @description At most 500 items (workflow edge count) */
                    edges?: {
                        /** @description At most 100 bytes of UTF-8 (workflow node key size) */
                        from: string;
                        /** @description At most 100 bytes of UTF-8 (workflow node key size) */
                        to: string;
                        /** @description success (default), failure, always, expired (approval and input steps) or a custom event name. At most 100 bytes of UTF-8 (workflow event name size) */
                        on?: string;
                    }[];
                    /** @description The key of the node a run starts with. At most 100 bytes of UTF-8 (workflow node key size) */
                    start: string;
                    /** @description At most 200 items (acl count) */
                    acls?: string[];
                    env?: {
                        [key: string]: string | number | boolean;
                    } | string;
                    /** @description At most 50 items (trigger count) */
                    triggers?: {
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        task_id?: string;
                        /** @enum {string} */
                        event?: "success" | "failure";
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        webhook_id?: string;
                    }[];
                    grace_time?: number;
                    multitasking?: boolean;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid definition: `details.problems` lists each problem with the node (`node`) or edge (`edge`) it is about; or a field past its limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWorkflow: {
        parameters: {
            query?: {
                /** @description An older version to read */
                version?: number;
            };
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    replaceWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        /** @description The whole definition as stored: at most 524288 bytes (workflow definition size) */
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 200 bytes of UTF-8 (task name size) */
                    name: string;
                    /** @description At most 16384 bytes of UTF-8 (task description size) */
                    description?: string;
                    /** @description At most 100 items (workflow node count) */
                    nodes: {
                        /** @description Letters, digits, '_', '.' and '-'. At most 100 bytes of UTF-8 (workflow node key size) */
                        key: string;
                        /** @description The id of the task the node runs. At most 100 bytes of UTF-8 (id size) */
                        task?: string;
                        approval?: {
                            /** @description Token names, roles or key:value tags that may decide. At most 50 items (workflow approver count) */
                            approvers?: string[];
                            /** @description Approvals needed (0: 1) */
                            required?: number;
                            /** @description Seconds until the step ends `expired` (0: 72 hours) */
                            expires_in?: number;
                        };
                        input?: {
                            /** @description The fields asked, as task arguments are defined; the answers become the output. At most 100 items (argument definition count) */
                            form?: {
                                order?: number;
                                /** @description At most 50 bytes of UTF-8 (argument type size) */
                                type: string;
                                /** @description At most 200 bytes of UTF-8 (argument label size) */
                                label?: string;
                                /** @description The value of a fixed argument, or the default of the others */
                                value?: string | (number | boolean | (never | null));
                                required?: boolean;
                                /** @description At most 100 items (argument option count) */
                                options?: (string | (number | boolean))[];
                            }[];
                            /** @description Token names, roles or key:value tags that may decide. At most 50 items (workflow approver count) */
                            approvers?: string[];
                            /** @description Seconds until the step ends `expired` (0: 72 hours) */
                            expires_in?: number;
                        };
                        /** @description One per non-fixed argument of the task, in order, as a run gives them. At most 1000 items (task argument count) */
                        arguments?: ({
                            /** @description The key of a node that runs before this one, or `$run` for the run's own arguments. At most 100 bytes of UTF-8 (workflow node key size) */
                            from: string;
                            /** @description A line of the node's output by its index (0 to 999), or an input step's answer by its field's label. At most 200 bytes of UTF-8 (argument label size) */
                            output?: number | string;
                        } | string | (number | boolean | (never | null)))[];
                        /** @description Seconds (0: the task's own) */
                        timeout?: number;
                        retry?: {
                            /** @description Attempts after the first */
                            max?: number;
                            /** @description Seconds before the first retry, doubled for each next one */
                            backoff?: number;
                        };
                        /**
                         * @description Over several incoming edges (default all)
                         * @enum {string}
                         */
                        join?: "all" | "any";
                    }[];
                    /** @description At most 500 items (workflow edge count) */
                    edges?: {
                        /** @description At most 100 bytes of UTF-8 (workflow node key size) */
                        from: string;
                        /** @description At most 100 bytes of UTF-8 (workflow node key size) */
                        to: string;
                        /** @description success (default), failure, always, expired (approval and input steps) or a custom event name. At most 100 bytes of UTF-8 (workflow event name size) */
                        on?: string;
                    }[];
                    /** @description The key of the node a run starts with. At most 100 bytes of UTF-8 (workflow node key size) */
                    start: string;
                    /** @description At most 200 items (acl count) */
                    acls?: string[];
                    env?: {
                        [key: string]: string | number | boolean;
                    } | string;
                    /** @description At most 50 items (trigger count) */
                    triggers?: {
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        task_id?: string;
                        /** @enum {string} */
                        event?: "success" | "failure";
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        webhook_id?: string;
                    }[];
                    grace_time?: number;
                    multitasking?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid definition: `details.problems` lists each problem with the node (`node`) or edge (`edge`) it is about; or a field past its limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        /** @description The whole definition as stored: at most 524288 bytes (workflow definition size) */
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 200 bytes of UTF-8 (task name size) */
                    name?: string;
                    /** @description At most 16384 bytes of UTF-8 (task description size) */
                    description?: string;
                    /** @description At most 100 items (workflow node count) */
                    nodes?: {
                        /** @description Letters, digits, '_', '.' and '-'. At most 100 bytes of UTF-8 (workflow node key size) */
                        key: string;
                        /** @description The id of the task the node runs. At most 100 bytes of UTF-8 (id size) */
                        task?: string;
                        approval?: {
                            /** @description Token names, roles or key:value tags that may decide. At most 50 items (workflow approver count) */
                            approvers?: string[];
                            /** @description Approvals needed (0: 1) */
                            required?: number;
                            /** @description Seconds until the step ends `expired` (0: 72 hours) */
                            expires_in?: number;
                        };
                        input?: {
                            /** @description The fields asked, as task arguments are defined; the answers become the output. At most 100 items (argument definition count) */
                            form?: {
                                order?: number;
                                /** @description At most 50 bytes of UTF-8 (argument type size) */
                                type: string;
                                /** @description At most 200 bytes of UTF-8 (argument label size) */
                                label?: string;
                                /** @description The value of a fixed argument, or the default of the others */
                                value?: string | (number | boolean | (never | null));
                                required?: boolean;
                                /** @description At most 100 items (argument option count) */
                                options?: (string | (number | boolean))[];
                            }[];
                            /** @description Token names, roles or key:value tags that may decide. At most 50 items (workflow approver count) */
                            approvers?: string[];
                            /** @description Seconds until the step ends `expired` (0: 72 hours) */
                            expires_in?: number;
                        };
                        /** @description One per non-fixed argument of the task, in order, as a run gives them. At most 1000 items (task argument count) */
                        arguments?: ({
                            /** @description The key of a node that runs before this one, or `$run` for the run's own arguments. At most 100 bytes of UTF-8 (workflow node key size) */
                            from: string;
                            /** @description A line of the node's output by its index (0 to 999), or an input step's answer by its field's label. At most 200 bytes of UTF-8 (argument label size) */
                            output?: number | string;
                        } | string | (number | boolean | (never | null)))[];
                        /** @description Seconds (0: the task's own) */
                        timeout?: number;
                        retry?: {
                            /** @description Attempts after the first */
                            max?: number;
                            /** @description Seconds before the first retry, doubled for each next one */
                            backoff?: number;
                        };
                        /**
                         * @description Over several incoming edges (default all)
                         * @enum {string}
                         */
                        join?: "all" | "any";
                    }[];
                    /** @description At most 500 items (workflow edge count) */
                    edges?: {
                        /** @description At most 100 bytes of UTF-8 (workflow node key size) */
                        from: string;
                        /** @description At most 100 bytes of UTF-8 (workflow node key size) */
                        to: string;
                        /** @description success (default), failure, always, expired (approval and input steps) or a custom event name. At most 100 bytes of UTF-8 (workflow event name size) */
                        on?: string;
                    }[];
                    /** @description The key of the node a run starts with. At most 100 bytes of UTF-8 (workflow node key size) */
                    start?: string;
                    /** @description At most 200 items (acl count) */
                    acls?: string[];
                    env?: {
                        [key: string]: string | number | boolean;
                    } | string;
                    /** @description At most 50 items (trigger count) */
                    triggers?: {
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        task_id?: string;
                        /** @enum {string} */
                        event?: "success" | "failure";
                        /** @description At most 100 bytes of UTF-8 (id size) */
                        webhook_id?: string;
                    }[];
                    grace_time?: number;
                    multitasking?: boolean;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid definition: `details.problems` lists each problem with the node (`node`) or edge (`edge`) it is about; or a field past its limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    exportTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the task, without ids, acls or env values (names with empty values, secret ones too) */
                        task?: {
                            [key: string]: unknown;
                        };
                        /** @description filename, description, content or data */
                        script?: {
                            [key: string]: unknown;
                        };
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    importTask: {
        parameters: {
            query?: {
                /** @description the bot that runs the task */
                host_id?: string;
            };
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    task: {
                        /** @description At most 200 bytes of UTF-8 (task name size) */
                        name?: string;
                        /** @description At most 100 items (tag count) */
                        tags?: string[];
                        /** @description At most 100 items (argument definition count) */
                        task_arguments?: {
                            order?: number;
                            /** @description At most 50 bytes of UTF-8 (argument type size) */
                            type: string;
                            /** @description At most 200 bytes of UTF-8 (argument label size) */
                            label?: string;
                            /** @description The value of a fixed argument, or the default of the others */
                            value?: string | (number | boolean | (never | null));
                            required?: boolean;
                            /** @description At most 100 items (argument option count) */
                            options?: (string | (number | boolean))[];
                        }[];
                        /** @description At most 1024 bytes of UTF-8 (run_as size) */
                        run_as?: string;
                        /** @description At most 16384 bytes of UTF-8 (task description size) */
                        description?: string;
                        /** @description At most 200 items (acl count) */
                        acls?: string[];
                        /** @description At most 50 items (trigger count) */
                        triggers?: {
                            /** @description At most 100 bytes of UTF-8 (id size) */
                            task_id?: string;
                            /** @enum {string} */
                            event?: "success" | "failure";
                            /** @description At most 100 bytes of UTF-8 (id size) */
                            webhook_id?: string;
                        }[];
                        grace_time?: number;
                        timeout?: number;
                        multitasking?: boolean;
                        env?: {
                            [key: string]: string | number | boolean;
                        } | string;
                        /** @description Write-only variables, beside env (a name is in one or the other): a value sets one, null removes it, "****" (as answers show every value) keeps it; names not given keep theirs. Their values are never shown again, and are replaced by "****" in what the job prints. They count with env against its limits. At most 200 entries (env entry count) */
                        secret_env?: {
                            [key: string]: string | null;
                        };
                    };
                    script?: {
                        /** @description At most 255 bytes of UTF-8 (script filename size) */
                        filename: string;
                        /** @description At most 16384 bytes of UTF-8 (script description size) */
                        description?: string;
                        /** @description The script as text. At most 262144 bytes of UTF-8 (script size) */
                        content?: string;
                        /** @description The script as base64: what it decodes to at most 262144 bytes (script size) */
                        data?: string;
                        access_token?: string;
                    };
                    file?: {
                        /** @description At most 255 bytes of UTF-8 (script filename size) */
                        filename?: string;
                        /** @description At most 16384 bytes of UTF-8 (script description size) */
                        description?: string;
                        /** @description The script as text. At most 262144 bytes of UTF-8 (script size) */
                        content?: string;
                        /** @description The script as base64: what it decodes to at most 262144 bytes (script size) */
                        data?: string;
                        access_token?: string;
                    };
                    /** @description the bot that runs the task */
                    host_id?: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        customer: string;
                        name: string;
                        /** @description the bot that runs it */
                        host_id: string;
                        script_id: string;
                        tags: string[];
                        task_arguments: {
                            [key: string]: unknown;
                        }[];
                        run_as: string;
                        description: string;
                        acls: string[];
                        triggers: {
                            [key: string]: unknown;
                        }[];
                        /** @description seconds */
                        grace_time: number;
                        /** @description seconds */
                        timeout: number;
                        multitasking: boolean;
                        /** @description Values are shown to admins only; others see "****" */
                        env: {
                            [key: string]: string;
                        };
                        /** @description The names of the write-only variables, each with "****" */
                        secret_env: {
                            [key: string]: string;
                        };
                        /** @description also its ETag; If-Match on a write */
                        version: number;
                        /** Format: date-time */
                        creation_date: string | null;
                        /** Format: date-time */
                        last_update: string | null;
                        script: components["schemas"]["Script"];
                    } & {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTaskCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskCredentials"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateTaskCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskCredentials"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runTask: {
        parameters: {
            query?: {
                customer?: string;
                task?: string;
                /** @description true: answer once the job ended (at most wait_timeout, 60 s) */
                wait_result?: string;
                /** @description seconds, with wait_result */
                wait_timeout?: number;
            };
            header?: {
                /** @description Optional, 1 to 200 printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409. */
                "idempotency-key"?: string;
            };
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task_arguments": [
                 *         "world"
                 *       ]
                 *     }
                 */
                "application/json": (never | null) | unknown[] | {
                    /** @description One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most 65536 bytes (task argument size), all together at most 262144 bytes (task arguments total size). At most 1000 items (task argument count) */
                    task_arguments?: unknown[];
                    customer?: string;
                    /** @description The id of the task to run */
                    task?: string;
                    access_token?: string;
                    wait_result?: boolean | string;
                    wait_timeout?: number | string;
                };
            };
        };
        responses: {
            /** @description with wait_result: the job, ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                    "text/html": string;
                };
            };
            /** @description the created job */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                    "text/html": string;
                };
            };
            /** @description with wait_result: the job, still running (see Location) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                    "text/html": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the Idempotency-Key was used for a run of another task */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a quota is reached: runs per token per second, or jobs not started per task or per organization: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    emptyTaskQueue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        task_id?: string;
                        canceled?: number;
                        job_ids?: string[];
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listJobs: {
        parameters: {
            query?: {
                /** @description only jobs of this task */
                task?: string;
                /** @description same as task */
                task_id?: string;
                lifecycle?: string;
                state?: string;
                /** @description only jobs of this bot */
                host_id?: string;
                /** @description same as host_id */
                bot?: string;
                /** @description only jobs whose origin is this or starts with it and a colon (`trigger` matches every triggered job) */
                origin?: string;
                /** @description only jobs created at or after (RFC 3339) */
                created_after?: string;
                /** @description only jobs created before (RFC 3339) */
                created_before?: string;
                /** @description the next page: the x-next-cursor (or Link rel="next") of the previous answer, with the same filters */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runNamedTask: {
        parameters: {
            query?: {
                customer?: string;
                task?: string;
                /** @description true: answer once the job ended (at most wait_timeout, 60 s) */
                wait_result?: string;
                /** @description seconds, with wait_result */
                wait_timeout?: number;
            };
            header?: {
                /** @description Optional, 1 to 200 printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409. */
                "idempotency-key"?: string;
            };
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task_arguments": [
                 *         "world"
                 *       ]
                 *     }
                 */
                "application/json": (never | null) | unknown[] | {
                    /** @description One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most 65536 bytes (task argument size), all together at most 262144 bytes (task arguments total size). At most 1000 items (task argument count) */
                    task_arguments?: unknown[];
                    customer?: string;
                    /** @description The id of the task to run */
                    task?: string;
                    access_token?: string;
                    wait_result?: boolean | string;
                    wait_timeout?: number | string;
                };
            };
        };
        responses: {
            /** @description with wait_result: the job, ended; when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description the created job; when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description with wait_result: the job, still running (see Location); when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the Idempotency-Key was used for a run of another task or workflow */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the workflow named cannot run (an approval or input step), or the arguments are invalid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a quota is reached: runs per token per second, or jobs not started per task or per organization: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runTaskOfOrganization: {
        parameters: {
            query?: {
                customer?: string;
                task?: string;
                /** @description true: answer once the job ended (at most wait_timeout, 60 s) */
                wait_result?: string;
                /** @description seconds, with wait_result */
                wait_timeout?: number;
            };
            header?: {
                /** @description Optional, 1 to 200 printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409. */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task_arguments": [
                 *         "world"
                 *       ]
                 *     }
                 */
                "application/json": (never | null) | unknown[] | {
                    /** @description One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most 65536 bytes (task argument size), all together at most 262144 bytes (task arguments total size). At most 1000 items (task argument count) */
                    task_arguments?: unknown[];
                    customer?: string;
                    /** @description The id of the task to run */
                    task?: string;
                    access_token?: string;
                    wait_result?: boolean | string;
                    wait_timeout?: number | string;
                };
            };
        };
        responses: {
            /** @description with wait_result: the job, ended; when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description the created job; when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description with wait_result: the job, still running (see Location); when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the Idempotency-Key was used for a run of another task or workflow */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the workflow named cannot run (an approval or input step), or the arguments are invalid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a quota is reached: runs per token per second, or jobs not started per task or per organization: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runTaskWithSecret: {
        parameters: {
            query?: {
                customer?: string;
                task?: string;
                /** @description true: answer once the job ended (at most wait_timeout, 60 s) */
                wait_result?: string;
                /** @description seconds, with wait_result */
                wait_timeout?: number;
            };
            header?: {
                /** @description Optional, 1 to 200 printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409. */
                "idempotency-key"?: string;
            };
            path: {
                customer: string;
                id: string;
                secret: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task_arguments": [
                 *         "world"
                 *       ]
                 *     }
                 */
                "application/json": (never | null) | unknown[] | {
                    /** @description One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most 65536 bytes (task argument size), all together at most 262144 bytes (task arguments total size). At most 1000 items (task argument count) */
                    task_arguments?: unknown[];
                    customer?: string;
                    /** @description The id of the task to run */
                    task?: string;
                    access_token?: string;
                    wait_result?: boolean | string;
                    wait_timeout?: number | string;
                };
            };
        };
        responses: {
            /** @description with wait_result: the job, ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                    "text/html": string;
                };
            };
            /** @description the created job */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                    "text/html": string;
                };
            };
            /** @description with wait_result: the job, still running (see Location) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                    "text/html": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the Idempotency-Key was used for a run of another task */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a quota is reached: runs per token per second, or jobs not started per task or per organization: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runNamedTaskWithSecret: {
        parameters: {
            query?: {
                customer?: string;
                task?: string;
                /** @description true: answer once the job ended (at most wait_timeout, 60 s) */
                wait_result?: string;
                /** @description seconds, with wait_result */
                wait_timeout?: number;
            };
            header?: {
                /** @description Optional, 1 to 200 printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409. */
                "idempotency-key"?: string;
            };
            path: {
                secret: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task_arguments": [
                 *         "world"
                 *       ]
                 *     }
                 */
                "application/json": (never | null) | unknown[] | {
                    /** @description One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most 65536 bytes (task argument size), all together at most 262144 bytes (task arguments total size). At most 1000 items (task argument count) */
                    task_arguments?: unknown[];
                    customer?: string;
                    /** @description The id of the task to run */
                    task?: string;
                    access_token?: string;
                    wait_result?: boolean | string;
                    wait_timeout?: number | string;
                };
            };
        };
        responses: {
            /** @description with wait_result: the job, ended; when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description the created job; when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description with wait_result: the job, still running (see Location); when `task` names a workflow, its run (as POST /:customer/workflow/:id/job answers it) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"] | components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the Idempotency-Key was used for a run of another task or workflow */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the workflow named cannot run (an approval or input step), or the arguments are invalid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a quota is reached: runs per token per second, or jobs not started per task or per organization: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWorkflowRuns: {
        parameters: {
            query?: {
                /** @description the next page: the x-next-cursor (or Link rel="next") of the previous answer */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runWorkflow: {
        parameters: {
            query?: {
                customer?: string;
                task?: string;
                /** @description true: answer once the job ended (at most wait_timeout, 60 s) */
                wait_result?: string;
                /** @description seconds, with wait_result */
                wait_timeout?: number;
            };
            header?: {
                /** @description Optional, 1 to 200 printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409. */
                "idempotency-key"?: string;
            };
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task_arguments": [
                 *         "world"
                 *       ]
                 *     }
                 */
                "application/json": (never | null) | unknown[] | {
                    /** @description One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most 65536 bytes (task argument size), all together at most 262144 bytes (task arguments total size). At most 1000 items (task argument count) */
                    task_arguments?: unknown[];
                    customer?: string;
                    /** @description The id of the task to run */
                    task?: string;
                    access_token?: string;
                    wait_result?: boolean | string;
                    wait_timeout?: number | string;
                };
            };
        };
        responses: {
            /** @description with wait_result: the run, ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description the run, started */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description with wait_result: the run, still going on (see Location) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the Idempotency-Key was used for a run of another task or workflow */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the workflow cannot run: the arguments are invalid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a quota is reached: runs per token (or per workflow and client address) per second, or jobs not started: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runWorkflowWithSecret: {
        parameters: {
            query?: {
                customer?: string;
                task?: string;
                /** @description true: answer once the job ended (at most wait_timeout, 60 s) */
                wait_result?: string;
                /** @description seconds, with wait_result */
                wait_timeout?: number;
            };
            header?: {
                /** @description Optional, 1 to 200 printable ASCII characters chosen by the client (a UUID, say). A retry with the key of a run of the same task (or workflow) in the last 24 hours creates no second job: it answers that run's job (or run) as it is now. A key used for another task or workflow: 409. */
                "idempotency-key"?: string;
            };
            path: {
                customer: string;
                id: string;
                secret: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task_arguments": [
                 *         "world"
                 *       ]
                 *     }
                 */
                "application/json": (never | null) | unknown[] | {
                    /** @description One value per non-fixed argument of the task, in order; a value that is not a string is passed as its JSON text. Each at most 65536 bytes (task argument size), all together at most 262144 bytes (task arguments total size). At most 1000 items (task argument count) */
                    task_arguments?: unknown[];
                    customer?: string;
                    /** @description The id of the task to run */
                    task?: string;
                    access_token?: string;
                    wait_result?: boolean | string;
                    wait_timeout?: number | string;
                };
            };
        };
        responses: {
            /** @description with wait_result: the run, ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description the run, started */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description with wait_result: the run, still going on (see Location) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                    "text/html": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the Idempotency-Key was used for a run of another task or workflow */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the workflow cannot run: the arguments are invalid */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a quota is reached: runs per token (or per workflow and client address) per second, or jobs not started: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWorkflowCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskCredentials"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateWorkflowCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskCredentials"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWorkflowRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelWorkflowRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 1000 bytes of UTF-8 (cancel reason size) */
                    reason?: string;
                    access_token?: string;
                } | null;
            };
        };
        responses: {
            /** @description the run, as the cancel left it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the run has ended already */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryWorkflowRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run, going on */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowRun"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the run is still running, or ended in success */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    approveJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 4096 bytes of UTF-8 (step vote comment size) */
                    comment?: string;
                    access_token?: string;
                } | null;
            };
        };
        responses: {
            /** @description the step’s job, as the vote left it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the caller is not one of the step’s approvers, or its token started the run (whatever else makes it an approver) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such job, or one of a workflow the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the step no longer waits (decided, expired or canceled; another vote came first), the caller voted on it already, or the job is no step */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a vote of the wrong kind for the step, answers the form refuses, or a comment past its limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rejectJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 4096 bytes of UTF-8 (step vote comment size) */
                    comment?: string;
                    access_token?: string;
                } | null;
            };
        };
        responses: {
            /** @description the step’s job, as the vote left it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the caller is not one of the step’s approvers, or its token started the run (whatever else makes it an approver) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such job, or one of a workflow the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the step no longer waits (decided, expired or canceled; another vote came first), the caller voted on it already, or the job is no step */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a vote of the wrong kind for the step, answers the form refuses, or a comment past its limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    answerJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description the answers by the form’s labels (a number or boolean is taken as its text) */
                    answers: {
                        [key: string]: string | number | boolean;
                    };
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description the step’s job, as the vote left it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the caller is not one of the step’s approvers, or its token started the run (whatever else makes it an approver) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such job, or one of a workflow the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the step no longer waits (decided, expired or canceled; another vote came first), the caller voted on it already, or the job is no step */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a vote of the wrong kind for the step, answers the form refuses, or a comment past its limit */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listInbox: {
        parameters: {
            query?: {
                /** @description the next page: the x-next-cursor (or Link rel="next") of the previous answer */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description the step’s job: PUT /:customer/job/:id/approve|reject|input */
                        job_id: string;
                        /** @description GET /:customer/workflow/job/:id */
                        run_id: string;
                        workflow_id: string;
                        workflow_name: string;
                        /** @description the step’s node key */
                        node: string;
                        /** @enum {string} */
                        kind: "approval" | "input";
                        /** @description approvals so far */
                        approvals: number;
                        /** @description approvals needed (1 for an input step) */
                        required: number;
                        approvers?: string[];
                        /** @description input steps: the form its answers fill, as task arguments are defined */
                        form?: {
                            [key: string]: unknown;
                        }[];
                        /** Format: date-time */
                        expires_at: string;
                        /** Format: date-time */
                        created_at?: string;
                    }[];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTaskSchedules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        customer: string;
                        task_id: string;
                        cron: string;
                        timezone: string;
                        task_arguments?: string[];
                        /** Format: date-time */
                        start_at?: string | null;
                        /** Format: date-time */
                        end_at?: string | null;
                        max_runs?: number;
                        jitter?: number;
                        overlap: string;
                        catchup_window?: number;
                        enabled: boolean;
                        note?: string;
                        /** @enum {string} */
                        state: "active" | "paused" | "error" | "ended";
                        /** @description why the schedule cannot fire (its task is gone); empty otherwise */
                        error?: string;
                        /** Format: date-time */
                        next_fire_at?: string | null;
                        /** @description runs started so far */
                        runs: number;
                        /** @description edits so far (1 when created; fires leave it): the ETag, and what If-Match names */
                        revision?: number;
                        /** @description the latest fire recorded (any kind), as the fires list shows it */
                        last_fire?: {
                            schedule_id: string;
                            /** Format: date-time */
                            scheduled_for: string;
                            /** @enum {string} */
                            outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                            /** @enum {string} */
                            kind: "schedule" | "trigger" | "backfill";
                            job_id?: string | null;
                            reason?: string;
                            /** Format: date-time */
                            fired_at?: string | null;
                        } | null;
                        /** Format: date-time */
                        creation_date?: string | null;
                        /** Format: date-time */
                        last_update?: string | null;
                        author?: string;
                    }[];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first. At most 200 bytes of UTF-8 (schedule cron size) */
                    cron: string;
                    /** @description IANA time zone; default UTC */
                    timezone?: string;
                    /** @description The run's values (as a run's task_arguments), checked against the task now and at each fire */
                    task_arguments?: unknown[];
                    /**
                     * Format: date-time
                     * @description no fire before this instant
                     */
                    start_at?: string | null;
                    /**
                     * Format: date-time
                     * @description no fire after this instant
                     */
                    end_at?: string | null;
                    /** @description runs after which it ends; 0: no bound */
                    max_runs?: number;
                    /** @description seconds; each fire waits a delay in [0, jitter] */
                    jitter?: number;
                    /**
                     * @description when the previous run still runs: skip (default), buffer_one, allow_all, cancel_running
                     * @enum {string}
                     */
                    overlap?: "skip" | "buffer_one" | "allow_all" | "cancel_running";
                    /** @description seconds a fire missed during downtime may still start late (default 300) */
                    catchup_window?: number;
                    /** @description false: paused */
                    enabled?: boolean;
                    /** @description At most 1000 bytes of UTF-8 (schedule note size) */
                    note?: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        customer: string;
                        task_id: string;
                        cron: string;
                        timezone: string;
                        task_arguments?: string[];
                        /** Format: date-time */
                        start_at?: string | null;
                        /** Format: date-time */
                        end_at?: string | null;
                        max_runs?: number;
                        jitter?: number;
                        overlap: string;
                        catchup_window?: number;
                        enabled: boolean;
                        note?: string;
                        /** @enum {string} */
                        state: "active" | "paused" | "error" | "ended";
                        /** @description why the schedule cannot fire (its task is gone); empty otherwise */
                        error?: string;
                        /** Format: date-time */
                        next_fire_at?: string | null;
                        /** @description runs started so far */
                        runs: number;
                        /** @description edits so far (1 when created; fires leave it): the ETag, and what If-Match names */
                        revision?: number;
                        /** @description the latest fire recorded (any kind), as the fires list shows it */
                        last_fire?: {
                            schedule_id: string;
                            /** Format: date-time */
                            scheduled_for: string;
                            /** @enum {string} */
                            outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                            /** @enum {string} */
                            kind: "schedule" | "trigger" | "backfill";
                            job_id?: string | null;
                            reason?: string;
                            /** Format: date-time */
                            fired_at?: string | null;
                        } | null;
                        /** Format: date-time */
                        creation_date?: string | null;
                        /** Format: date-time */
                        last_update?: string | null;
                        author?: string;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the organization has as many schedules as its quota allows: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSchedules: {
        parameters: {
            query?: {
                task_id?: string;
                limit?: number;
            };
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        customer: string;
                        task_id: string;
                        cron: string;
                        timezone: string;
                        task_arguments?: string[];
                        /** Format: date-time */
                        start_at?: string | null;
                        /** Format: date-time */
                        end_at?: string | null;
                        max_runs?: number;
                        jitter?: number;
                        overlap: string;
                        catchup_window?: number;
                        enabled: boolean;
                        note?: string;
                        /** @enum {string} */
                        state: "active" | "paused" | "error" | "ended";
                        /** @description why the schedule cannot fire (its task is gone); empty otherwise */
                        error?: string;
                        /** Format: date-time */
                        next_fire_at?: string | null;
                        /** @description runs started so far */
                        runs: number;
                        /** @description edits so far (1 when created; fires leave it): the ETag, and what If-Match names */
                        revision?: number;
                        /** @description the latest fire recorded (any kind), as the fires list shows it */
                        last_fire?: {
                            schedule_id: string;
                            /** Format: date-time */
                            scheduled_for: string;
                            /** @enum {string} */
                            outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                            /** @enum {string} */
                            kind: "schedule" | "trigger" | "backfill";
                            job_id?: string | null;
                            reason?: string;
                            /** Format: date-time */
                            fired_at?: string | null;
                        } | null;
                        /** Format: date-time */
                        creation_date?: string | null;
                        /** Format: date-time */
                        last_update?: string | null;
                        author?: string;
                    }[];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        customer: string;
                        task_id: string;
                        cron: string;
                        timezone: string;
                        task_arguments?: string[];
                        /** Format: date-time */
                        start_at?: string | null;
                        /** Format: date-time */
                        end_at?: string | null;
                        max_runs?: number;
                        jitter?: number;
                        overlap: string;
                        catchup_window?: number;
                        enabled: boolean;
                        note?: string;
                        /** @enum {string} */
                        state: "active" | "paused" | "error" | "ended";
                        /** @description why the schedule cannot fire (its task is gone); empty otherwise */
                        error?: string;
                        /** Format: date-time */
                        next_fire_at?: string | null;
                        /** @description runs started so far */
                        runs: number;
                        /** @description edits so far (1 when created; fires leave it): the ETag, and what If-Match names */
                        revision?: number;
                        /** @description the latest fire recorded (any kind), as the fires list shows it */
                        last_fire?: {
                            schedule_id: string;
                            /** Format: date-time */
                            scheduled_for: string;
                            /** @enum {string} */
                            outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                            /** @enum {string} */
                            kind: "schedule" | "trigger" | "backfill";
                            job_id?: string | null;
                            reason?: string;
                            /** Format: date-time */
                            fired_at?: string | null;
                        } | null;
                        /** Format: date-time */
                        creation_date?: string | null;
                        /** Format: date-time */
                        last_update?: string | null;
                        author?: string;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first. At most 200 bytes of UTF-8 (schedule cron size) */
                    cron?: string;
                    /** @description IANA time zone; default UTC */
                    timezone?: string;
                    /** @description The run's values (as a run's task_arguments), checked against the task now and at each fire */
                    task_arguments?: unknown[];
                    /**
                     * Format: date-time
                     * @description no fire before this instant
                     */
                    start_at?: string | null;
                    /**
                     * Format: date-time
                     * @description no fire after this instant
                     */
                    end_at?: string | null;
                    /** @description runs after which it ends; 0: no bound */
                    max_runs?: number;
                    /** @description seconds; each fire waits a delay in [0, jitter] */
                    jitter?: number;
                    /**
                     * @description when the previous run still runs: skip (default), buffer_one, allow_all, cancel_running
                     * @enum {string}
                     */
                    overlap?: "skip" | "buffer_one" | "allow_all" | "cancel_running";
                    /** @description seconds a fire missed during downtime may still start late (default 300) */
                    catchup_window?: number;
                    /** @description false: paused */
                    enabled?: boolean;
                    /** @description At most 1000 bytes of UTF-8 (schedule note size) */
                    note?: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        customer: string;
                        task_id: string;
                        cron: string;
                        timezone: string;
                        task_arguments?: string[];
                        /** Format: date-time */
                        start_at?: string | null;
                        /** Format: date-time */
                        end_at?: string | null;
                        max_runs?: number;
                        jitter?: number;
                        overlap: string;
                        catchup_window?: number;
                        enabled: boolean;
                        note?: string;
                        /** @enum {string} */
                        state: "active" | "paused" | "error" | "ended";
                        /** @description why the schedule cannot fire (its task is gone); empty otherwise */
                        error?: string;
                        /** Format: date-time */
                        next_fire_at?: string | null;
                        /** @description runs started so far */
                        runs: number;
                        /** @description edits so far (1 when created; fires leave it): the ETag, and what If-Match names */
                        revision?: number;
                        /** @description the latest fire recorded (any kind), as the fires list shows it */
                        last_fire?: {
                            schedule_id: string;
                            /** Format: date-time */
                            scheduled_for: string;
                            /** @enum {string} */
                            outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                            /** @enum {string} */
                            kind: "schedule" | "trigger" | "backfill";
                            job_id?: string | null;
                            reason?: string;
                            /** Format: date-time */
                            fired_at?: string | null;
                        } | null;
                        /** Format: date-time */
                        creation_date?: string | null;
                        /** Format: date-time */
                        last_update?: string | null;
                        author?: string;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    triggerSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        schedule_id: string;
                        /** Format: date-time */
                        scheduled_for: string;
                        /** @enum {string} */
                        outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                        /** @enum {string} */
                        kind: "schedule" | "trigger" | "backfill";
                        job_id?: string | null;
                        reason?: string;
                        /** Format: date-time */
                        fired_at?: string | null;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    backfillSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: date-time */
                    from: string;
                    /** Format: date-time */
                    to: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        schedule_id: string;
                        /** Format: date-time */
                        scheduled_for: string;
                        /** @enum {string} */
                        outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                        /** @enum {string} */
                        kind: "schedule" | "trigger" | "backfill";
                        job_id?: string | null;
                        reason?: string;
                        /** Format: date-time */
                        fired_at?: string | null;
                    }[];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    previewSchedule: {
        parameters: {
            query?: {
                from?: string;
                count?: number;
            };
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        times: string[];
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listScheduleFires: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        schedule_id: string;
                        /** Format: date-time */
                        scheduled_for: string;
                        /** @enum {string} */
                        outcome: "started" | "skipped_overlap" | "buffered" | "missed" | "failed_to_start";
                        /** @enum {string} */
                        kind: "schedule" | "trigger" | "backfill";
                        job_id?: string | null;
                        reason?: string;
                        /** Format: date-time */
                        fired_at?: string | null;
                    }[];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 1000 bytes of UTF-8 (cancel reason size) */
                    reason?: string;
                    access_token?: string;
                } | null;
            };
        };
        responses: {
            /** @description the job, as the cancel left it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getJobLog: {
        parameters: {
            query?: {
                /** @description stream the log while the job runs, until it ends, the token is revoked, or after 1 s (LOG_FOLLOW_MAX), whichever comes first; the trailer x-taskforge-follow-end says which (done, revoked, max-duration) */
                follow?: boolean;
                /** @description the bytes the script wrote, as application/octet-stream, instead of text */
                raw?: boolean;
                /** @description answer JSON lines from this 0-based line (with limit): { offset, lines, total_lines, complete } */
                offset?: number;
                /** @description how many lines from offset (at most 10000); answers JSON */
                limit?: number;
                /** @description the last N lines (at most 10000); answers JSON, its offset says where they start */
                tail?: number;
            };
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The log. Headers: X-Taskforge-Log-Complete (true once the job ended and all its output is here), X-Taskforge-Truncated-Bytes (what the bot dropped past its limit) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                    "application/octet-stream": string;
                    "application/json": {
                        /** @description the 0-based number of the first line answered */
                        offset: number;
                        /** @description the lines, without their line ends */
                        lines: string[];
                        /** @description how many lines the log has now */
                        total_lines: number;
                        /** @description the job ended and all its output is here */
                        complete: boolean;
                        /** @description what the bot dropped past its output limit */
                        truncated_bytes?: number;
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listBots: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Bot"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    registerBot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 100 bytes of UTF-8 (bot name size) */
                    name: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description The agent's credentials file (`npm run bot -- --credentials <file>`): shown once */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotCredentials"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateBotCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The agent's credentials file (`npm run bot -- --credentials <file>`): shown once */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotCredentials"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteBot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSubscriptions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 2048 bytes of UTF-8 (subscription url size) */
                    url: string;
                    /** @description Event names (task.create, job.finish, ...), <object>.* or *; empty or absent: every event. At most 50 items (subscription event count) */
                    events?: string[];
                    /** @description At most 1000 bytes of UTF-8 (subscription description size) */
                    description?: string;
                    enabled?: boolean;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the organization has as many subscriptions as its quota allows: try again after Retry-After seconds (docs/limits.md) */
            429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    "retry-after"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 2048 bytes of UTF-8 (subscription url size) */
                    url?: string;
                    /** @description Event names (task.create, job.finish, ...), <object>.* or *; empty or absent: every event. At most 50 items (subscription event count) */
                    events?: string[];
                    /** @description At most 1000 bytes of UTF-8 (subscription description size) */
                    description?: string;
                    enabled?: boolean;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    rotateSubscriptionSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Subscription"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listDeliveries: {
        parameters: {
            query?: {
                limit?: number;
                /** @description only deliveries older than this delivery id */
                before?: string;
                status?: "pending" | "succeeded" | "failed";
            };
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Delivery"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
                delivery: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the delivery; the new attempt shows in the list */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Delivery"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"][];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description At most 200 bytes of UTF-8 (webhook name size) */
                    name: string;
                    access_token?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No Content */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    fireWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                customer: string;
                id: string;
                secret: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description fired: the tasks whose triggers name the webhook are started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fire_id: string;
                        webhook_id: string;
                        name: string;
                        /** @description the body, as the payload the tasks receive */
                        payload: unknown;
                        /** Format: date-time */
                        fired_at?: string | null;
                        task_ids: string[];
                    };
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                /** @description as the Last-Event-ID header */
                last_event_id?: string;
            };
            header?: {
                "last-event-id"?: string;
            };
            path: {
                customer: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stream: `id`, `event` and `data` lines per event, as the EventSource API reads them */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description malformed input: the body or a parameter is not what the operation takes */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no credential, or one that is unknown or revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a known caller without the role or the right */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such object, or one the caller may not see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the body is larger than a limit (docs/limits.md) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description invalid input, or a field past its limit (docs/limits.md) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description too many requests: wait as Retry-After says, then try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description any other error: 409 a conflict, 5xx the platform could not answer now */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
