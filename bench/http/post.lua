-- post.lua - wrk script of bench/http/run.sh: every request POSTs the body of the file in
-- the environment variable BODY_FILE with the Content-Type in CONTENT_TYPE (one valid
-- identity event, or an NDJSON batch of 100), and counts the answers that are not 2xx.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE")

local bad = 0
function response(status, headers, body)
    if status >= 300 then bad = bad + 1 end
end

function done(summary, latency, requests)
    io.write(string.format("non2xx=%d\n", summary.errors.status))
end
