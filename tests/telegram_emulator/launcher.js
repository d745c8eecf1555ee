#!/usr/bin/env node
// Starts the telegram-test-api Bot API emulator for briefbot's end-to-end tests, with the fixes a stock
// python-telegram-bot 22 needs (see ../shared/notes/telegram-emulator.md):
//   - getMe says is_bot; message results carry `date` in seconds, the real chat and no echoed request fields;
//   - editMessageText / editMessageReplyMarkup return the edited message;
//   - callback queries carry chat_instance; channel posts arrive as channel_post / edited_channel_post;
//   - deleteWebhook(drop_pending_updates) drops the token's unread updates, as Telegram does;
//   - methods the emulator lacks (sendChatAction, sendMessageDraft, setMyCommands, getChatMember, ...) answer OK;
//   - --port 0 really picks a free port, printed as one JSON line on stdout;
//   - the process exits when its stdin closes, so a killed test run leaves no orphan holding the port;
//   - POST /callLog {token} lists every Bot API call the bot made; POST /injectError makes the next calls of a
//     method fail (e.g. 429 with retry_after) to test flood handling;
//   - a failed webhook call is made again with the same update, as Telegram does (POST /webhookLog {token}).
// Usage: node launcher.js [--port N] [--host 127.0.0.1] [--store-timeout SECONDS] [--redeliver-every MS]
//        [--redeliver-for SECONDS]
'use strict';

const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes/index');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const host = option('host', '127.0.0.1');
const port = Number(option('port', '0'));
const storeTimeout = Number(option('store-timeout', '120'));

const BOT_USER = { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' };
const chats = new Map(); // chat id -> chat object last seen in a user update, so replies carry the real type
const callLog = new Map(); // bot token -> [{method, body, time}]
const injected = []; // {token, method, chatId, times, status, description, retryAfter}
const secrets = new Map(); // bot token -> webhook secret token

const nowSeconds = () => Math.floor(Date.now() / 1000);
const toSeconds = (date) => (date > 1e11 ? Math.floor(date / 1000) : date);

function parseMaybeJson(value) {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (_err) {
    return value;
  }
}

// The Bot API Message a real server would return for a stored bot message.
function botMessageResult(stored) {
  const body = stored.message;
  const chatId = Number(body.chat_id);
  const result = {
    message_id: stored.messageId,
    date: toSeconds(stored.time),
    chat: chats.get(chatId) || { id: chatId, type: chatId < 0 ? 'group' : 'private', first_name: 'User' },
    from: BOT_USER,
    text: body.text,
  };
  if (body.message_thread_id !== undefined) result.message_thread_id = Number(body.message_thread_id);
  const markup = parseMaybeJson(body.reply_markup);
  if (markup && markup.inline_keyboard) result.reply_markup = markup;
  if (body.edit_date) result.edit_date = body.edit_date;
  return result;
}

function findBotMessage(server, body) {
  return server.storage.botMessages.find(
    (u) => String(u.messageId) === String(body.message_id) && String(u.message.chat_id) === String(body.chat_id),
  );
}

function rememberChats(update) {
  const message = update.message || (update.callbackQuery && update.callbackQuery.message);
  if (message && message.chat && message.chat.id !== undefined) chats.set(Number(message.chat.id), message.chat);
}

// A user update in the shape the Bot API sends, without the emulator's internal fields.
const originalFormatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = originalFormatUpdate(update);
  const wantedId = update.message && update.message.message_id; // a client may fix the id (edits, channel links)
  if (formatted.callback_query) {
    const cq = formatted.callback_query;
    cq.chat_instance = String((cq.message && cq.message.chat && cq.message.chat.id) || cq.from.id);
    if (cq.message) {
      delete cq.message.botToken;
      cq.message.date = toSeconds(cq.message.date || nowSeconds());
    }
    return formatted;
  }
  const message = formatted.message;
  delete message.botToken;
  if (wantedId !== undefined) message.message_id = Number(wantedId);
  message.date = toSeconds(message.date || nowSeconds());
  const edited = message.edit_date !== undefined;
  if (message.chat && message.chat.type === 'channel') {
    delete formatted.message;
    formatted[edited ? 'edited_channel_post' : 'channel_post'] = message;
  } else if (edited) {
    delete formatted.message;
    formatted.edited_message = message;
  }
  return formatted;
};

// Routes added ahead of the emulator's own: the constructor mounts `routes` in order.
function extraRoutes(app, server) {
  app.all('/bot:token/:method', (req, res, next) => {
    const { token, method } = req.params;
    const body = { ...req.query, ...req.body };
    if (!callLog.has(token)) callLog.set(token, []);
    callLog.get(token).push({ method, body, time: Date.now() / 1000 });
    const fault = injected.find(
      (f) => f.token === token && f.method === method && (f.chatId === undefined || String(f.chatId) === String(body.chat_id)),
    );
    if (fault) {
      fault.times -= 1;
      if (fault.times <= 0) injected.splice(injected.indexOf(fault), 1);
      const answer = { ok: false, error_code: fault.status, description: fault.description };
      if (fault.retryAfter !== undefined) answer.parameters = { retry_after: fault.retryAfter };
      res.status(fault.status).json(answer);
      return;
    }
    const ok = (result) => res.json({ ok: true, result });
    switch (method) {
      case 'getMe':
        return ok({ ...BOT_USER, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'sendMessage': {
        const sent = server.addBotMessage(body, token);
        const stored = server.storage.botMessages.find((u) => u.messageId === sent.message_id);
        return ok(botMessageResult(stored));
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const stored = findBotMessage(server, body);
        if (!stored) return res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
        const change = { ...body, edit_date: nowSeconds() };
        if (method === 'editMessageReplyMarkup' && body.reply_markup === undefined) change.reply_markup = undefined;
        stored.message = { ...stored.message, ...change };
        return ok(botMessageResult(stored));
      }
      case 'deleteWebhook':
        // Telegram drops the backlog when asked; the emulator ignores the flag, so do it here.
        if (['true', 'True', true].includes(body.drop_pending_updates)) {
          server.storage.userMessages.filter((u) => u.botToken === token).forEach((u) => { u.isRead = true; });
        }
        return next();
      case 'setWebhook':
        if (body.secret_token) secrets.set(token, body.secret_token);
        return next();
      case 'getWebhookInfo':
        return ok({ url: '', has_custom_certificate: false, pending_update_count: 0 });
      case 'getChat':
        return ok(chats.get(Number(body.chat_id)) || { id: Number(body.chat_id), type: 'private' });
      case 'getChatMember':
        return ok({ status: 'member', user: { id: Number(body.user_id), is_bot: false, first_name: 'User' } });
      case 'getChatAdministrators':
      case 'getMyCommands':
        return ok([]);
      case 'sendChatAction':
      case 'sendMessageDraft': // Bot API 9.3+: an ephemeral preview; the call log keeps each one for tests
      case 'close':
      case 'logOut':
        return ok(true);
      default:
        if (/^(set|delete)My/.test(method) || method === 'setChatMenuButton') return ok(true);
        return next();
    }
  });
  app.post('/callLog', (req, res) => res.json({ ok: true, result: callLog.get(req.body.token) || [] }));
  app.post('/webhookLog', (req, res) => res.json({ ok: true, result: webhookLog.get(req.body.token) || [] }));
  app.post('/injectError', (req, res) => {
    const b = req.body;
    injected.push({
      token: b.token,
      method: b.method,
      chatId: b.chatId,
      times: Number(b.times || 1),
      status: Number(b.status || 429),
      description: b.description || 'Too Many Requests: retry later',
      retryAfter: b.retryAfter === undefined ? undefined : Number(b.retryAfter),
    });
    res.json({ ok: true, result: true });
  });
}
routes.unshift(extraRoutes);

// User updates: remember chat types, and send the webhook secret like Telegram does. Like Telegram, a webhook
// call that fails (no connection, or any status but 2xx) is made again, every --redeliver-every ms for up to
// --redeliver-for seconds, with the same update_id; POST /webhookLog {token} lists every attempt.
const redeliverEvery = Number(option('redeliver-every', '500'));
const redeliverFor = Number(option('redeliver-for', '600')) * 1000;
const webhookLog = new Map(); // bot token -> [{update_id, status, time}]
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function deliver(token, url, headers, body, updateId) {
  const until = Date.now() + redeliverFor;
  if (!webhookLog.has(token)) webhookLog.set(token, []);
  for (;;) {
    let status = 0;
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      status = response.status;
      await response.arrayBuffer();
    } catch (_err) {
      status = 0; // connection refused or reset: the replica died
    }
    webhookLog.get(token).push({ update_id: updateId, status, time: Date.now() / 1000 });
    if (status >= 200 && status < 300) return;
    if (Date.now() >= until) {
      console.error(`webhook gave up on update ${updateId} after status ${status}`);
      return;
    }
    await sleep(redeliverEvery);
  }
}

TelegramServer.prototype.addUserUpdate = async function addUserUpdate(update) {
  rememberChats(update);
  this.updateId += 1; // before any await: updates posted meanwhile must get ids of their own
  const webhook = this.webhooks[update.botToken];
  if (webhook) {
    const headers = { 'Content-Type': 'application/json' };
    if (secrets.has(update.botToken)) headers['X-Telegram-Bot-Api-Secret-Token'] = secrets.get(update.botToken);
    const formatted = TelegramServer.formatUpdate(update);
    const delivery = deliver(update.botToken, webhook.url, headers, JSON.stringify(formatted), formatted.update_id);
    // Wait for the first attempt only briefly: keeps quick successive messages in order without holding the
    // client until a webhook that answers after handling (briefbot's) is done.
    await Promise.race([delivery, sleep(1000)]);
  } else {
    this.storage.userMessages.push(update);
  }
};

// A webhook that cannot be reached must not take the whole emulator down.
process.on('unhandledRejection', (err) => console.error(`emulator: ${err}`));

async function main() {
  const server = new TelegramServer({ host, port: port || 1, storeTimeout });
  server.config.port = port; // normalizeConfig turns 0 into 9000; listen on the port actually asked for
  await server.start();
  const actual = server.server.address().port;
  server.config.port = actual;
  server.config.apiURL = `http://${host}:${actual}`;
  process.stdout.write(`${JSON.stringify({ port: actual })}\n`);
  const stop = () => {
    server.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
