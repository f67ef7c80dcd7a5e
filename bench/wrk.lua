-- SPDX-License-Identifier: Apache-2.0
-- The requests of bench/bench and bench/soak, for wrk (Debian's wrk 4.1).
--   wrk ... -s bench/wrk.lua URL -- DIR KINDS [PROGRESS]
-- DIR holds the lists bench/PwResetBench.pm wrote (known.txt: registered
-- addresses, link.txt and form.txt: valid tokens, update.txt: one fresh form
-- token per update, bad.txt and badcookie.txt: refused link queries and
-- form cookies); KINDS, comma-separated,
-- gives each thread its kind of request (thread i takes the i-th, cycling);
-- with PROGRESS, each thread writes how many responses it had to
-- PROGRESS.<thread> now and then, so that the caller can stop wrk after a
-- number of requests.  done() prints "wrk-result" and "wrk-status kind code
-- count" lines for the caller to read.  Nothing here prints a token.

local threads = {}

function setup(thread)
    threads[#threads + 1] = thread
    thread:set("tid", #threads)
end

local function lines(file)
    local t = {}
    local f = io.open(dir .. "/" .. file, "r")
    if f then
        for l in f:lines() do t[#t + 1] = l end
        f:close()
    end
    return t
end

local function need(list, file)
    if #list == 0 then
        error(file .. " is empty or missing in " .. dir)
    end
    return list
end

local form_type = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local n = 0           -- requests made by this thread
local got = 0         -- responses seen by this thread
counts = {}           -- status code -> count, read by done()
wrapped = 0           -- update tokens used a second time, read by done()
local lists = {}

local function list(name)
    if not lists[name] then
        lists[name] = need(lines(name .. ".txt"), name .. ".txt")
    end
    return lists[name]
end

local function pick(name)
    local l = list(name)
    return l[(n - 1) % #l + 1]
end

-- An address of 10.0.0.0/8 per request (mod_remoteip reads it when loaded),
-- so that the client limit counts each as a client of its own.
local function client()
    return string.format("10.%d.%d.%d", tid % 256, math.floor(n / 256) % 256,
                         n % 256)
end

local function post(path, body, extra)
    local h = { ["Content-Type"] = form_type["Content-Type"],
                ["X-Forwarded-For"] = client() }
    for k, v in pairs(extra or {}) do h[k] = v end
    return wrk.format("POST", path, h, body)
end

local function cookie(token)
    return { Cookie = "pwreset_form=" .. token }
end

local PASSWORD = "Qv7-Lm2x-Rt9k-Wz4n-bench"
local malformed   -- built in init()
local huge_body

local make = {}

make.redirect = function() return wrk.format("GET", "/redirect") end
make.static   = function() return wrk.format("GET", "/small.html") end
make.page     = function() return wrk.format("GET", "/reset/request") end
make.unknown  = function()
    return post("/reset/request",
                string.format("email=none%06d%%40bench.example", n % 1000000))
end
make.known    = function()
    return post("/reset/request", "email=" .. pick("known"):gsub("@", "%%40"))
end
make.link     = function()
    return wrk.format("GET", "/reset/link?token=" .. pick("link"))
end
make.form     = function()
    return wrk.format("GET", "/reset/update", cookie(pick("form")))
end
make.update   = function()
    local l = list("update")
    if n > #l then wrapped = wrapped + 1 end
    return post("/reset/update",
                "password=" .. PASSWORD .. "&confirm=" .. PASSWORD,
                cookie(l[(n - 1) % #l + 1]))
end
-- Refused tokens: at the link, and as the form cookie (GET and POST).
make.badtoken = function()
    if n % 3 == 0 then
        return wrk.format("GET", "/reset/link?" .. pick("bad"))
    end
    local t = pick("badcookie")
    if n % 3 == 1 then
        return wrk.format("GET", "/reset/update", cookie(t))
    end
    return post("/reset/update", "password=" .. PASSWORD .. "&confirm="
                .. PASSWORD, cookie(t))
end
make.malformed = function() return malformed[(n - 1) % #malformed + 1]() end
-- A body far over the module's limit, to either form.
make.huge = function()
    if n % 2 == 0 then
        return post("/reset/request", huge_body)
    end
    return post("/reset/update", huge_body, cookie(pick("form")))
end
-- One client past PwResetClientLimit: 429 once it is reached.
make.limited = function()
    return wrk.format("POST", "/reset/request",
        { ["Content-Type"] = form_type["Content-Type"],
          ["X-Forwarded-For"] = "192.0.2." .. tid },
        "email=" .. pick("known"):gsub("@", "%%40"))
end
-- The requests that change nothing, in turn.
local mix = { "page", "unknown", "known", "link", "form" }
make.mix = function() return make[mix[(n - 1) % #mix + 1]]() end

function init(args)
    dir = args[1]
    local kinds = {}
    for k in string.gmatch(args[2] or "", "[^,]+") do kinds[#kinds + 1] = k end
    kind = kinds[(tid - 1) % #kinds + 1]
    if not make[kind] then error("unknown kind " .. tostring(kind)) end
    progress = args[3] ~= "" and args[3] or nil
    huge_body = "email=" .. string.rep("a", 65536) .. "%40bench.example"
    local host = wrk.headers["Host"]
    -- Each made anew per request: a POST from a client of its own.
    local function raw(s)
        s = s:gsub("HOST", host)
        return function() return s end
    end
    local function P(path, body, extra)
        return function() return post(path, body, extra) end
    end
    local function F(method, path, headers, body)
        return function() return wrk.format(method, path, headers, body) end
    end
    malformed = {
        P("/reset/request", "email=x%40bench.example",
          { ["Content-Type"] = "text/plain" }),
        P("/reset/request", "mail=x%40bench.example"),
        P("/reset/request", "email=a%40bench.example&email=b%40bench.example"),
        P("/reset/request", "email=not-an-address"),
        P("/reset/request", "email=a%00b%40bench.example"),
        P("/reset/request", "email=%ff%fe%40bench.example"),
        P("/reset/request", "email=a%0d%0aBcc:%20b%40bench.example"),
        P("/reset/request", '{"email": ',
          { ["Content-Type"] = "application/json" }),
        P("/reset/request", '{"email": ["a@bench.example"]}',
          { ["Content-Type"] = "application/json" }),
        P("/reset/request", "email=x%40bench.example",
          { Origin = "https://evil.example" }),
        P("/reset/request", "email=x%40bench.example",
          { ["Sec-Fetch-Site"] = "cross-site" }),
        P("/reset/update", "password=a&confirm=b"),
        F("PUT", "/reset/request",
          { ["Content-Type"] = form_type["Content-Type"] }, "email=x"),
        F("DELETE", "/reset/update"),
        F("POST", "/reset/link",
          { ["Content-Type"] = form_type["Content-Type"] }, "token=x"),
        raw("\1\2 nonsense\r\n\r\n"),
        raw("GET /reset/request HTTP/1.1\r\n\r\n"),
        raw("GET /reset/request HTTP/1.1\r\nHost: HOST\r\nX-Long: "
            .. string.rep("a", 9000) .. "\r\n\r\n"),
        raw("POST /reset/request HTTP/1.1\r\nHost: HOST\r\nContent-Type: "
            .. "application/x-www-form-urlencoded\r\nContent-Length: abc\r\n\r\n"),
        raw("GET /reset/link?" .. string.rep("t", 9000)
            .. " HTTP/1.1\r\nHost: HOST\r\n\r\n"),
    }
end

function request()
    n = n + 1
    return make[kind]()
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
    got = got + 1
    if progress and got % 200 == 0 then
        local f = io.open(progress .. "." .. tid, "w")
        if f then f:write(got, "\n") f:close() end
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("wrk-result requests=%d seconds=%.3f p50=%.3f "
        .. "p90=%.3f p99=%.3f err_connect=%d err_read=%d err_write=%d "
        .. "err_timeout=%d\n", summary.requests, summary.duration / 1e6,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, e.connect, e.read, e.write, e.timeout))
    for _, t in ipairs(threads) do
        local k = t:get("kind")
        for code, c in pairs(t:get("counts")) do
            io.write(string.format("wrk-status %s %d %d\n", k, code, c))
        end
        local w = t:get("wrapped")
        if w and w > 0 then
            io.write(string.format("wrk-note %s: %d requests reused a token "
                .. "(update.txt too short)\n", k, w))
        end
    end
end
