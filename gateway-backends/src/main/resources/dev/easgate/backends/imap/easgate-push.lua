-- easgate push for Dovecot 2.3's push-notification Lua driver: posts one change event per touched mailbox to the
-- gateway's webhook (POST /push/v1/events, bearer token), so parked Ping/Sync requests of that user wake up.
--
-- Needs: the Lua push driver (dovecot-core ships it in Debian 12) and lua-socket (Debian package lua-socket).
-- Settings (plugin section): easgate_push_url = http://GATEWAY:PORT/push/v1/events, easgate_push_token = TOKEN,
-- optionally easgate_push_user_suffix = @example.com (appended to Dovecot's user name when the gateway's login
-- names are addresses and Dovecot's are not).
-- Each line of the body is {"user":"<login>","t":"folder"} (items changed in some folder: the gateway's folder ids
-- are IMAP MAILBOXIDs a Lua script does not see, so every watched folder wakes) or {"user":"...","t":"folder",
-- "h":true} (mailboxes created, renamed or deleted).

local http = require("socket.http")
local ltn12 = require("ltn12")

http.TIMEOUT = 2

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == '\\' then return '\\\\' end
    return string.format('\\u%04x', c:byte())
  end) .. '"'
end

function dovecot_lua_notify_begin_txn(user)
  return {
    user = user.username .. (user:plugin_getenv("easgate_push_user_suffix") or ""),
    url = user:plugin_getenv("easgate_push_url"),
    token = user:plugin_getenv("easgate_push_token"),
    items = false,
    hierarchy = false,
  }
end

local function items(ctx, event) ctx.items = true end
local function hierarchy(ctx, event) ctx.hierarchy = true end

dovecot_lua_notify_event_message_new = items
dovecot_lua_notify_event_message_append = items
dovecot_lua_notify_event_message_expunge = items
dovecot_lua_notify_event_message_read = items
dovecot_lua_notify_event_message_trash = items
dovecot_lua_notify_event_flags_set = items
dovecot_lua_notify_event_flags_clear = items
dovecot_lua_notify_event_mailbox_create = hierarchy
dovecot_lua_notify_event_mailbox_delete = hierarchy
dovecot_lua_notify_event_mailbox_rename = hierarchy

function dovecot_lua_notify_end_txn(ctx)
  if ctx.url == nil or ctx.url == "" or not (ctx.items or ctx.hierarchy) then
    return
  end
  local lines = {}
  if ctx.items then
    table.insert(lines, '{"user":' .. json_string(ctx.user) .. ',"t":"folder"}')
  end
  if ctx.hierarchy then
    table.insert(lines, '{"user":' .. json_string(ctx.user) .. ',"t":"folder","h":true}')
  end
  local body = table.concat(lines, "\n") .. "\n"
  local ok, code = http.request {
    url = ctx.url,
    method = "POST",
    headers = {
      ["Authorization"] = "Bearer " .. (ctx.token or ""),
      ["Content-Type"] = "application/x-ndjson",
      ["Content-Length"] = tostring(#body),
    },
    source = ltn12.source.string(body),
    sink = ltn12.sink.null(),
  }
  if ok == nil or code ~= 202 then
    dovecot.i_warning("easgate push to " .. ctx.url .. " failed: " .. tostring(code))
  end
end
