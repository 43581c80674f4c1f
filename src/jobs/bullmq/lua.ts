/**
 * Lua scripts for the Redis backend. Each state change of a job record, the dependency graph moves it
 * causes and the events describing them happen in one script, so they are atomic. Keys are derived from
 * the namespace in ARGV[1] (standalone Redis; Redis Cluster is not supported). Scripts that make jobs
 * runnable return them as (id, type, priority, dispatch) quadruples: the caller adds those to BullMQ.
 *
 * The texts here mirror src/jobs/sqlite/transitions.ts and records.ts; the conformance suite keeps the
 * two backends in agreement.
 */

import { PRELUDE } from './lua-prelude.js';

/**
 * ARGV: N, now, id, type, priority, payload, depsJson, maxAttempts, timeoutMs, memoryMb, cost.
 * Returns {'ok', n, n dispatch values…, the new record's generated fields as pairs…}, {'exists', 0, the
 * existing record's hash as pairs…} or {'missing', ids…}.
 */
const ENQUEUE = `
local id = ARGV[3]
local k = jk(id)
if redis.call('EXISTS', k) == 1 then return {'exists', 0, unpack(redis.call('HGETALL', k))} end
local deps = cjson.decode(ARGV[7])
local missing = {}
for _, d in ipairs(deps) do
  if redis.call('EXISTS', jk(d.id)) == 0 then table.insert(missing, d.id) end
end
if #missing > 0 then return {'missing', unpack(missing)} end
local seq = redis.call('INCR', N .. ':seq')
local pending, fatal = {}, nil
if #deps > 0 then
  for _, d in ipairs(deps) do
    local st = redis.call('HGET', jk(d.id), 'state')
    if not isSettled(st, d.optional == true) then table.insert(pending, d.id) end
    if fatal == nil and isFatal(st, d.optional == true) then fatal = d.id end
  end
end
local runnable = #pending == 0
local readySeq, dispatch, state, queuedAt = 0, 0, 'waiting', ''
if runnable then readySeq, dispatch, state, queuedAt = redis.call('INCR', N .. ':readyseq'), 1, 'queued', now end
redis.call('HSET', k, 'id', id, 'seq', seq, 'type', ARGV[4], 'state', state, 'priority', ARGV[5],
  'payload', ARGV[6], 'deps', ARGV[7], 'attempts', 0, 'max_attempts', ARGV[8], 'attempts_per_run', ARGV[8],
  'timeout_ms', ARGV[9], 'memory_mb', ARGV[10], 'cost', ARGV[11], 'cancel_requested', 0, 'created_at', now,
  'run_at', 0, 'ready_seq', readySeq, 'dispatch', dispatch, 'queued_at', queuedAt)
redis.call('ZADD', N .. ':all', seq, id)
redis.call('ZADD', N .. ':type:' .. ARGV[4], seq, id)
redis.call('ZADD', N .. ':state:' .. state, seq, id)
for _, d in ipairs(deps) do redis.call('SADD', N .. ':dependents:' .. d.id, id) end
if runnable then
  local d = dispatch
  publishRaw('{"type":"job.queued","jobId":' .. cjson.encode(id) .. ',"jobType":' .. cjson.encode(ARGV[4]) ..
    ',"at":' .. now .. ',"state":"queued","priority":"' .. PRI[num(ARGV[5]) + 1] .. '","waitingFor":[]}')
  table.insert(out, id)
  table.insert(out, ARGV[4])
  table.insert(out, ARGV[5])
  table.insert(out, d)
else
  redis.call('HSET', k, 'pending_deps', #pending, 'wait_reason', waitingReason(pending))
  local waitingFor = cjson.encode(pending)
  publishRaw('{"type":"job.queued","jobId":' .. cjson.encode(id) .. ',"jobType":' .. cjson.encode(ARGV[4]) ..
    ',"at":' .. now .. ',"state":"waiting","priority":"' .. PRI[num(ARGV[5]) + 1] .. '","waitingFor":' .. waitingFor .. '}')
  if fatal then
    local fs = redis.call('HMGET', jk(fatal), 'state', 'error')
    onFinished(fatal, fs[1], errMessage(fs[2]))
  end
end
-- The runnable jobs to add to BullMQ, then what the caller cannot know of the new record (its state may
-- have changed again if a dependency had failed).
local reply = {'ok', #out}
for _, v in ipairs(out) do table.insert(reply, v) end
local g = redis.call('HMGET', k, 'state', 'seq', 'created_at', 'queued_at', 'wait_reason', 'error', 'finished_at')
for i, field in ipairs({'state', 'seq', 'created_at', 'queued_at', 'wait_reason', 'error', 'finished_at'}) do
  table.insert(reply, field)
  table.insert(reply, str(g[i]))
end
return reply
`;

/**
 * Reads the heads of BullMQ's lists for each type (wait first: BullMQ serves it first, and stalled jobs
 * return there; then the prioritized set) with the job records the scheduler needs.
 * ARGV: N, now, costWindowMs, wantLedger, then (type, count, waitKey, prioritizedKey) per type.
 */
const PEEK = `
local result = {candidates = {}, ledger = {}, nextDelayed = cjson.null}
local i = 5
while i <= #ARGV do
  local t, k, waitKey, prioKey = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  i = i + 4
  local ids = {}
  local fromWait = {}
  local w = redis.call('LRANGE', waitKey, -k, -1)
  for j = #w, 1, -1 do
    table.insert(ids, w[j])
    fromWait[w[j]] = true
  end
  if #ids < k then
    for _, b in ipairs(redis.call('ZRANGE', prioKey, 0, k - #ids - 1)) do table.insert(ids, b) end
  end
  for _, bullId in ipairs(ids) do
    local id = string.match(bullId, '^(.*)%.%d+$') or bullId
    local f = redis.call('HMGET', jk(id), 'state', 'priority', 'ready_seq', 'memory_mb', 'cost', 'wait_reason')
    table.insert(result.candidates, {bullId = bullId, id = id, type = t, state = f[1] or '',
      priority = num(f[2]), order = num(f[3]), memoryMb = num(f[4]), cost = num(f[5]),
      waitReason = str(f[6]), fromWait = fromWait[bullId] == true})
  end
end
if ARGV[4] == '1' then
  local members = redis.call('ZRANGEBYSCORE', N .. ':cost', '(' .. (now - tonumber(ARGV[3])), '+inf', 'WITHSCORES')
  for j = 1, #members, 2 do
    table.insert(result.ledger, {at = tonumber(members[j + 1]), amount = num(redis.call('HGET', N .. ':costamt', members[j]))})
  end
end
local d = redis.call('ZRANGE', N .. ':delayed', 0, 0, 'WITHSCORES')
if #d > 0 then result.nextDelayed = tonumber(d[2]) end
return cjson.encode(result)
`;

/** ARGV: N, now, then (id, reason) pairs. Writes why held jobs wait. */
const NOTE = `
for i = 3, #ARGV, 2 do
  local k = jk(ARGV[i])
  if redis.call('HGET', k, 'state') == 'queued' then redis.call('HSET', k, 'wait_reason', ARGV[i + 1]) end
end
return 1
`;

/**
 * Turns the BullMQ job a worker just locked into an attempt, or says to drop it (stale, finished or
 * cancelled) or hold it (budgets changed since the scheduler looked). A record still `active` means the
 * previous holder's lock expired and BullMQ handed the job out again: that attempt ends as lease-expired.
 * ARGV: N, now, id, bullId, workerId, token, leaseMs, costBudget|'', memoryAllowance|'', costWindowMs
 */
const START = `
local r = startJob(ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10])
for _, v in ipairs(out) do table.insert(r, v) end
return r
`;

/** ARGV: N, now, id. A held job goes back to BullMQ under a new dispatch number. */
const REDISPATCH = `
local id = ARGV[3]
local k = jk(id)
if redis.call('HGET', k, 'state') ~= 'queued' then return {} end
local d = redis.call('HINCRBY', k, 'dispatch', 1)
local f = redis.call('HMGET', k, 'type', 'priority')
return {id, f[1], f[2], d}
`;

/** ARGV: N, now, id, token, kind, resultJson|errorJson, progressJson|retryAt|'', retryReason */
const FINISH = `
local r = finishJob(ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
for _, v in ipairs(out) do table.insert(r, v) end
return r
`;

/**
 * The outcome of one job and the start of the next one BullMQ handed over when releasing it, in one call.
 * ARGV: N, now, then FINISH's six (id … retryReason), then START's eight (id … costWindowMs; id '' = none).
 * Returns {finishStatus, n, n values of the start reply…, dispatch quadruples…}.
 */
const FINISH_START = `
local f = finishJob(ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
local st = {}
if ARGV[9] ~= '' then st = startJob(ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14], ARGV[15], ARGV[16]) end
local r = {f[1], #st}
for _, v in ipairs(st) do table.insert(r, v) end
for _, v in ipairs(out) do table.insert(r, v) end
return r
`;

/** ARGV: N, now, id, reason */
const CANCEL = `
local id = ARGV[3]
local k = jk(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
local f = redis.call('HMGET', k, 'state', 'type', 'dispatch')
if f[1] == 'queued' or f[1] == 'waiting' then
  local bull = ''
  if f[1] == 'queued' then bull = id .. '.' .. f[3] end
  finishCancelled(id, ARGV[4])
  return {'ok', f[2], bull, unpack(out)}
elseif f[1] == 'active' then
  redis.call('HSET', k, 'cancel_requested', 1, 'cancel_reason', ARGV[4])
  redis.call('PUBLISH', N .. ':signals', cjson.encode({kind = 'cancel', jobId = id}))
  return {'ok', f[2], ''}
elseif f[1] == 'cancelled' then
  return {'ok', f[2], ''}
end
return {'conflict', f[1]}
`;

/** ARGV: N, now, id */
const RETRY = `
local function revive(id)
  local k = jk(id)
  local pending, fatal = pendingDeps(id)
  if fatal then return fatal end
  local f = redis.call('HMGET', k, 'attempts', 'attempts_per_run', 'state', 'type', 'priority')
  redis.call('HSET', k, 'max_attempts', num(f[1]) + num(f[2]), 'error', '', 'result', '', 'progress', '',
    'cancel_requested', 0, 'cancel_reason', '', 'failed_dependency', '', 'finished_at', '')
  clearLease(k)
  if #pending == 0 then
    markQueued(id, true)
  else
    moveState(id, f[3], 'waiting')
    redis.call('HSET', k, 'pending_deps', #pending, 'wait_reason', waitingReason(pending))
    publishRaw('{"type":"job.queued","jobId":' .. cjson.encode(id) .. ',"jobType":' .. cjson.encode(f[4]) ..
      ',"at":' .. now .. ',"state":"waiting","priority":"' .. PRI[num(f[5]) + 1] .. '","waitingFor":' ..
      cjson.encode(pending) .. '}')
  end
  local dependents = redis.call('SMEMBERS', N .. ':dependents:' .. id)
  table.sort(dependents)
  for _, d in ipairs(dependents) do
    local g = redis.call('HMGET', jk(d), 'state', 'failed_dependency')
    if g[1] == 'failed' and g[2] == id then revive(d) end
  end
  return nil
end
local id = ARGV[3]
local st = redis.call('HGET', jk(id), 'state')
if not st then return {'notfound'} end
if st ~= 'failed' and st ~= 'cancelled' then return {'conflict', st} end
local fatal = revive(id)
if fatal then return {'fatal', fatal} end
return {'ok', unpack(out)}
`;

/** ARGV: N, now, leaseMs, then (id, token) pairs. Returns JSON {lost, cancel}. */
const HEARTBEAT = `
local res = {lost = {}, cancel = {}}
local expires = now + tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  local k = jk(ARGV[i])
  local f = redis.call('HMGET', k, 'state', 'lease_token', 'cancel_requested')
  if f[1] ~= 'active' or f[2] ~= ARGV[i + 1] then
    table.insert(res.lost, ARGV[i])
  else
    redis.call('HSET', k, 'lease_expires_at', expires)
    if f[3] == '1' then table.insert(res.cancel, ARGV[i]) end
  end
end
return cjson.encode(res)
`;

/** ARGV: N, now, id, token, attempt, type, progressJson, updatedAt */
const PROGRESS = `
local k = jk(ARGV[3])
local f = redis.call('HMGET', k, 'state', 'lease_token')
if f[1] ~= 'active' or f[2] ~= ARGV[4] then return 0 end
redis.call('HSET', k, 'progress', ARGV[7])
publishRaw('{"type":"job.progress","jobId":' .. cjson.encode(ARGV[3]) .. ',"jobType":' .. cjson.encode(ARGV[6]) ..
  ',"at":' .. ARGV[8] .. ',"attempt":' .. ARGV[5] .. ',"progress":' .. ARGV[7] .. '}')
return 1
`;

/** ARGV: N, now, limit. Back-offs that are over go to BullMQ. */
const PROMOTE = `
local ids = redis.call('ZRANGEBYSCORE', N .. ':delayed', '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('ZREM', N .. ':delayed', id)
  if redis.call('HGET', jk(id), 'state') == 'queued' then
    local k = jk(id)
    local d = redis.call('HINCRBY', k, 'dispatch', 1)
    local f = redis.call('HMGET', k, 'type', 'priority')
    redis.call('HSET', k, 'run_at', 0, 'wait_reason', '')
    table.insert(out, id)
    table.insert(out, f[1])
    table.insert(out, f[2])
    table.insert(out, d)
  end
end
return out
`;

/**
 * Repairs what a process dying between two calls leaves behind: queued jobs missing from BullMQ are added
 * again; active jobs with an expired lease and no BullMQ job run again. ARGV: N, now, minAgeMs, limit,
 * bullKeyBase ('<prefix>:q-'). Returns dispatch quadruples.
 */
const SWEEP = `
local base = ARGV[5]
for _, id in ipairs(redis.call('ZRANGE', N .. ':state:queued', 0, tonumber(ARGV[4]) - 1)) do
  local f = redis.call('HMGET', jk(id), 'type', 'priority', 'dispatch', 'queued_at', 'run_at')
  if num(f[5]) == 0 and num(f[4]) < now - tonumber(ARGV[3]) then
    if redis.call('EXISTS', base .. f[1] .. ':' .. id .. '.' .. f[3]) == 0 then
      table.insert(out, id)
      table.insert(out, f[1])
      table.insert(out, f[2])
      table.insert(out, f[3])
    end
  end
end
-- An active job whose lease ran out and whose BullMQ job is gone (its worker died between releasing the
-- BullMQ job and recording the outcome) would otherwise never run again: treat its lease as expired.
for _, id in ipairs(redis.call('ZRANGE', N .. ':state:active', 0, tonumber(ARGV[4]) - 1)) do
  local k = jk(id)
  local f = redis.call('HMGET', k, 'type', 'dispatch', 'lease_expires_at', 'attempts', 'max_attempts',
    'cancel_requested', 'cancel_reason', 'lease_owner')
  if num(f[3]) < now - tonumber(ARGV[3]) and redis.call('EXISTS', base .. f[1] .. ':' .. id .. '.' .. f[2]) == 0 then
    local owner = str(f[8])
    if owner == '' then owner = '(unknown)' end
    local err = {code = 'JOB_LEASE_EXPIRED', retryable = true,
      message = 'worker ' .. owner .. ' stopped renewing its lease during attempt ' .. num(f[4]) .. ' (did it crash?)'}
    closeAttempt(id, 'lease-expired', cjson.encode(err))
    if f[6] == '1' then
      local reason = str(f[7])
      if reason == '' then reason = 'requested' end
      finishCancelled(id, reason)
    elseif num(f[4]) >= num(f[5]) then
      err.retryable = false
      failFinal(id, cjson.encode(err))
    else
      requeue(id, now, cjson.encode(err), '')
    end
  end
end
return out
`;

/** ARGV: N, now, statesJson, type, priority|'', offset, limit. Returns {total, ids…}, newest first. */
const LIST = `
local states = cjson.decode(ARGV[3])
local t, prio = ARGV[4], ARGV[5]
local offset, limit = tonumber(ARGV[6]), tonumber(ARGV[7])
local source = N .. ':all'
local stateFilter = nil
if #states == 1 then
  source = N .. ':state:' .. states[1]
elseif t ~= '' then
  source = N .. ':type:' .. t
end
if #states > 1 then
  stateFilter = {}
  for _, s in ipairs(states) do stateFilter[s] = true end
end
local needType = t ~= '' and source ~= N .. ':type:' .. t
if not stateFilter and not needType and prio == '' then
  local total = redis.call('ZCARD', source)
  local ids = redis.call('ZREVRANGE', source, offset, offset + limit - 1)
  return {total, unpack(ids)}
end
local total = 0
local page = {}
for _, id in ipairs(redis.call('ZREVRANGE', source, 0, -1)) do
  local f = redis.call('HMGET', jk(id), 'state', 'type', 'priority')
  local ok = true
  if stateFilter and not stateFilter[f[1]] then ok = false end
  if ok and needType and f[2] ~= t then ok = false end
  if ok and prio ~= '' and f[3] ~= prio then ok = false end
  if ok then
    if total >= offset and #page < limit then table.insert(page, id) end
    total = total + 1
  end
end
return {total, unpack(page)}
`;

/** ARGV: N, now, costWindowMs. Drops spending older than the window. */
const PRUNE = `
local since = now - tonumber(ARGV[3])
local old = redis.call('ZRANGEBYSCORE', N .. ':cost', '-inf', since)
if #old > 0 then
  redis.call('HDEL', N .. ':costamt', unpack(old))
  redis.call('ZREMRANGEBYSCORE', N .. ':cost', '-inf', since)
end
return #old
`;

export const scripts = {
  rfEnqueue: PRELUDE + ENQUEUE,
  rfPeek: PRELUDE + PEEK,
  rfNote: PRELUDE + NOTE,
  rfStart: PRELUDE + START,
  rfRedispatch: PRELUDE + REDISPATCH,
  rfFinish: PRELUDE + FINISH,
  rfFinishStart: PRELUDE + FINISH_START,
  rfCancel: PRELUDE + CANCEL,
  rfRetry: PRELUDE + RETRY,
  rfHeartbeat: PRELUDE + HEARTBEAT,
  rfProgress: PRELUDE + PROGRESS,
  rfPromote: PRELUDE + PROMOTE,
  rfSweep: PRELUDE + SWEEP,
  rfList: PRELUDE + LIST,
  rfPrune: PRELUDE + PRUNE,
} as const;

export type ScriptName = keyof typeof scripts;
