/**
 * Helpers every Lua script of the Redis backend starts with: key names, state moves between the index
 * sets, per-minute stats, events, the dependency graph (settle, fail transitively), attempt history, and
 * the two hot paths (start an attempt, finish one) as functions so that a script can run both at once.
 * ARGV[1] is the namespace, ARGV[2] the time; `out` collects jobs that became runnable.
 */
export const PRELUDE = `
local N = ARGV[1]
local now = tonumber(ARGV[2])
local PRI = {'urgent', 'high', 'medium', 'low'}
local out = {}
local function jk(id) return N .. ':job:' .. id end
local function num(v) return tonumber(v) or 0 end
local function str(v) if v then return v end return '' end
local function publish(ev) redis.call('PUBLISH', N .. ':events', cjson.encode(ev)) end
local function publishRaw(json) redis.call('PUBLISH', N .. ':events', json) end
local function moveState(id, from, to, seq)
  seq = seq or redis.call('HGET', jk(id), 'seq')
  if from and from ~= '' then redis.call('ZREM', N .. ':state:' .. from, id) end
  redis.call('ZADD', N .. ':state:' .. to, seq, id)
  redis.call('HSET', jk(id), 'state', to)
end
local statsKey = N .. ':stats:' .. math.floor(now / 60000)
local function stat(field, n)
  n = math.floor(n)
  -- A bucket gets its expiry when its first counter is created.
  if redis.call('HINCRBY', statsKey, field, n) == n then redis.call('EXPIRE', statsKey, 172800) end
end
local function isSettled(state, optional)
  return state == 'completed' or (optional and (state == 'failed' or state == 'cancelled'))
end
local function isFatal(state, optional)
  return (not optional) and (state == 'failed' or state == 'cancelled')
end
local function depsOf(id)
  local raw = redis.call('HGET', jk(id), 'deps')
  if not raw or raw == '' then return {} end
  return cjson.decode(raw)
end
local function pendingDeps(id)
  local pending = {}
  local fatal = nil
  for _, d in ipairs(depsOf(id)) do
    local st = redis.call('HGET', jk(d.id), 'state')
    local opt = d.optional == true
    if not isSettled(st, opt) then table.insert(pending, d.id) end
    if fatal == nil and isFatal(st, opt) then fatal = d.id end
  end
  return pending, fatal
end
local function waitingReason(ids)
  local shown = {}
  for i = 1, math.min(#ids, 5) do shown[i] = ids[i] end
  local more = ''
  if #ids > 5 then more = ' and ' .. (#ids - 5) .. ' more' end
  local what = 'dependency'
  if #ids ~= 1 then what = #ids .. ' dependencies' end
  return 'waiting for ' .. what .. ': ' .. table.concat(shown, ', ') .. more
end
local function errMessage(errJson)
  if not errJson or errJson == '' then return '' end
  local ok, e = pcall(cjson.decode, errJson)
  if ok and type(e) == 'table' and type(e.message) == 'string' then return e.message end
  return ''
end
local function clearLease(k)
  redis.call('HSET', k, 'lease_owner', '', 'lease_token', '', 'lease_expires_at', '')
end
local function markQueued(id, announce)
  local k = jk(id)
  moveState(id, redis.call('HGET', k, 'state'), 'queued')
  local d = redis.call('HINCRBY', k, 'dispatch', 1)
  local f = redis.call('HMGET', k, 'type', 'priority')
  redis.call('HSET', k, 'ready_seq', redis.call('INCR', N .. ':readyseq'), 'queued_at', now, 'run_at', 0,
    'wait_reason', '', 'pending_deps', 0)
  redis.call('ZREM', N .. ':delayed', id)
  if announce then
    publishRaw('{"type":"job.queued","jobId":' .. cjson.encode(id) .. ',"jobType":' .. cjson.encode(f[1]) ..
      ',"at":' .. now .. ',"state":"queued","priority":"' .. PRI[num(f[2]) + 1] .. '","waitingFor":[]}')
  end
  table.insert(out, id)
  table.insert(out, f[1])
  table.insert(out, f[2])
  table.insert(out, d)
end
local function settleDependent(id)
  local pending = pendingDeps(id)
  if #pending == 0 then markQueued(id, true)
  else redis.call('HSET', jk(id), 'pending_deps', #pending, 'wait_reason', waitingReason(pending)) end
end
local function depOptional(id, depId)
  for _, d in ipairs(depsOf(id)) do
    if d.id == depId then return d.optional == true end
  end
  return false
end
local function onFinished(rootId, rootState, rootMessage)
  local queue = {{rootId, rootState, rootMessage}}
  local i = 1
  while i <= #queue do
    local item = queue[i]
    i = i + 1
    local dependents = redis.call('SMEMBERS', N .. ':dependents:' .. item[1])
    table.sort(dependents)
    for _, d in ipairs(dependents) do
      if redis.call('HGET', jk(d), 'state') == 'waiting' then
        if isSettled(item[2], depOptional(d, item[1])) then
          settleDependent(d)
        else
          local verb = 'failed'
          if item[2] == 'cancelled' then verb = 'was cancelled' end
          local msg = 'dependency ' .. item[1] .. ' ' .. verb
          if item[3] and item[3] ~= '' then msg = msg .. ': ' .. item[3] end
          local err = {code = 'JOB_DEPENDENCY_FAILED', message = msg, retryable = false, details = {dependency = item[1]}}
          local k = jk(d)
          moveState(d, 'waiting', 'failed')
          redis.call('HSET', k, 'error', cjson.encode(err), 'failed_dependency', item[1], 'finished_at', now,
            'wait_reason', '')
          stat('failed', 1)
          local f = redis.call('HMGET', k, 'type', 'attempts')
          publish({type = 'job.failed', jobId = d, jobType = f[1], at = now, attempt = num(f[2]), error = err})
          table.insert(queue, {d, 'failed', msg})
        end
      end
    end
  end
end
local function finishCancelled(id, reason)
  local k = jk(id)
  local f = redis.call('HMGET', k, 'state', 'type', 'attempts')
  local err = {code = 'JOB_CANCELLED', message = 'cancelled: ' .. reason, retryable = false}
  moveState(id, f[1], 'cancelled')
  redis.call('HSET', k, 'error', cjson.encode(err), 'cancel_reason', reason, 'finished_at', now, 'wait_reason', '')
  clearLease(k)
  redis.call('ZREM', N .. ':delayed', id)
  stat('cancelled', 1)
  publish({type = 'job.cancelled', jobId = id, jobType = f[2], at = now, attempt = num(f[3]), reason = reason})
  onFinished(id, 'cancelled', err.message)
end
local function closeAttempt(id, outcome, errJson)
  -- The running attempt lives in the record; a finished one is appended to the history list.
  local f = redis.call('HMGET', jk(id), 'attempts', 'lease_owner', 'started_at', 'attempt_waited')
  if num(f[1]) == 0 then return end
  local err = 'null'
  if errJson and errJson ~= '' then err = errJson end
  redis.call('RPUSH', N .. ':attempts:' .. id, '{"attempt":' .. num(f[1]) .. ',"workerId":' .. cjson.encode(str(f[2])) ..
    ',"startedAt":' .. num(f[3]) .. ',"finishedAt":' .. now .. ',"waitedMs":' .. num(f[4]) .. ',"outcome":"' ..
    outcome .. '","error":' .. err .. '}')
end
local function failFinal(id, errJson)
  local k = jk(id)
  local f = redis.call('HMGET', k, 'state', 'type', 'attempts')
  moveState(id, f[1], 'failed')
  redis.call('HSET', k, 'error', errJson, 'finished_at', now, 'wait_reason', '')
  clearLease(k)
  stat('failed', 1)
  publishRaw('{"type":"job.failed","jobId":' .. cjson.encode(id) .. ',"jobType":' .. cjson.encode(f[2]) ..
    ',"at":' .. now .. ',"attempt":' .. num(f[3]) .. ',"error":' .. errJson .. '}')
  onFinished(id, 'failed', errMessage(errJson))
end
local function requeue(id, runAt, errJson, reason)
  local k = jk(id)
  local f = redis.call('HMGET', k, 'state', 'type', 'attempts')
  clearLease(k)
  redis.call('HSET', k, 'error', errJson)
  if runAt > now then
    moveState(id, f[1], 'queued')
    redis.call('HSET', k, 'run_at', runAt, 'queued_at', runAt, 'wait_reason', reason)
    redis.call('ZADD', N .. ':delayed', runAt, id)
  else
    markQueued(id, false)
  end
  publishRaw('{"type":"job.retrying","jobId":' .. cjson.encode(id) .. ',"jobType":' .. cjson.encode(f[2]) ..
    ',"at":' .. now .. ',"attempt":' .. num(f[3]) .. ',"runAt":' .. runAt .. ',"error":' .. errJson .. '}')
end
local function ledgerSpent(since)
  local members = redis.call('ZRANGEBYSCORE', N .. ':cost', '(' .. since, '+inf')
  local spent = 0
  if #members > 0 then
    local amounts = redis.call('HMGET', N .. ':costamt', unpack(members))
    for _, a in ipairs(amounts) do spent = spent + num(a) end
  end
  return spent
end
local function startJob(id, bullId, workerId, token, leaseMs, costBudget, allowance, window)
  local k = jk(id)
  local f = redis.call('HMGET', k, 'state', 'dispatch', 'attempts', 'max_attempts', 'cancel_requested',
    'lease_owner', 'memory_mb', 'cost', 'queued_at', 'type', 'cancel_reason', 'seq', 'payload', 'timeout_ms')
  local state = f[1]
  if not state then return {'drop'} end
  if bullId ~= id .. '.' .. str(f[2]) then return {'drop'} end
  local attempts = num(f[3])
  if state == 'active' then
    local owner = str(f[6])
    if owner == '' then owner = '(unknown)' end
    local err = {code = 'JOB_LEASE_EXPIRED', retryable = true,
      message = 'worker ' .. owner .. ' stopped renewing its lease during attempt ' .. attempts .. ' (did it crash?)'}
    closeAttempt(id, 'lease-expired', cjson.encode(err))
    if f[5] == '1' then
      local reason = str(f[11])
      if reason == '' then reason = 'requested' end
      finishCancelled(id, reason)
      return {'drop'}
    end
    if attempts >= num(f[4]) then
      err.retryable = false
      failFinal(id, cjson.encode(err))
      return {'drop'}
    end
    moveState(id, 'active', 'queued', f[12])
    clearLease(k)
    redis.call('HSET', k, 'error', cjson.encode(err), 'queued_at', now)
    publish({type = 'job.retrying', jobId = id, jobType = f[10], at = now, attempt = attempts, runAt = now, error = err})
    state = 'queued'
    f[9] = now
  elseif state ~= 'queued' then
    return {'drop'}
  end
  local mem = num(f[7])
  if allowance ~= '' and mem > tonumber(allowance) then return {'hold-memory'} end
  local cost = num(f[8])
  if cost > 0 and costBudget ~= '' then
    local spent = ledgerSpent(now - tonumber(window))
    if spent > 0 and spent + cost > tonumber(costBudget) then return {'hold-cost'} end
  end
  attempts = attempts + 1
  local waited = math.max(0, now - num(f[9]))
  redis.call('ZREM', N .. ':state:' .. state, id)
  redis.call('ZADD', N .. ':state:active', f[12], id)
  redis.call('HSET', k, 'state', 'active', 'attempts', attempts, 'lease_owner', workerId, 'lease_token', token,
    'lease_expires_at', now + tonumber(leaseMs), 'started_at', now, 'attempt_waited', waited, 'wait_reason', '',
    'run_at', 0)
  if cost > 0 then
    local m = id .. ':' .. attempts
    redis.call('ZADD', N .. ':cost', now, m)
    redis.call('HSET', N .. ':costamt', m, cost)
  end
  stat('wait_sum', waited)
  stat('wait_n', 1)
  publish({type = 'job.started', jobId = id, jobType = f[10], at = now, attempt = attempts, workerId = workerId})
  return {'ok', attempts, f[13], f[4], f[14], tostring(mem), tostring(cost)}
end
local function finishJob(id, token, kind0, a6, a7, a8)
  local k = jk(id)
  local f = redis.call('HMGET', k, 'state', 'lease_token', 'cancel_requested', 'cancel_reason', 'started_at', 'type',
    'attempts', 'seq', 'lease_owner', 'attempt_waited')
  if f[1] ~= 'active' or f[2] ~= token then return {'lost'} end
  local kind = kind0
  if kind == 'cancelled' or (f[3] == '1' and kind ~= 'completed') then
    closeAttempt(id, 'cancelled', '')
    local reason = str(f[4])
    if reason == '' then reason = 'requested' end
    finishCancelled(id, reason)
  elseif kind == 'completed' then
    redis.call('RPUSH', N .. ':attempts:' .. id, '{"attempt":' .. num(f[7]) .. ',"workerId":' .. cjson.encode(str(f[9])) ..
      ',"startedAt":' .. num(f[5]) .. ',"finishedAt":' .. now .. ',"waitedMs":' .. num(f[10]) ..
      ',"outcome":"completed","error":null}')
    redis.call('ZREM', N .. ':state:active', id)
    redis.call('ZADD', N .. ':state:completed', f[8], id)
    if a7 ~= '' then redis.call('HSET', k, 'progress', a7) end
    redis.call('HSET', k, 'state', 'completed', 'result', a6, 'error', '', 'finished_at', now, 'lease_owner', '',
      'lease_token', '', 'lease_expires_at', '')
    stat('completed', 1)
    stat('run_sum', now - num(f[5]))
    stat('run_n', 1)
    publish({type = 'job.completed', jobId = id, jobType = f[6], at = now, attempt = num(f[7])})
    onFinished(id, 'completed', '')
  elseif kind == 'interrupted' then
    closeAttempt(id, 'interrupted', a6)
    requeue(id, now, a6, '')
  elseif a7 ~= '' then
    closeAttempt(id, 'failed', a6)
    requeue(id, tonumber(a7), a6, a8)
  else
    closeAttempt(id, 'failed', a6)
    failFinal(id, a6)
  end
  return {'ok'}
end
`;
