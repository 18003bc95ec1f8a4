// Celery remote control and task sending through the broker (Redis or RabbitMQ), without Python:
// the pidbox broadcast of `celery control` with its replies, and protocol-2 task messages.
export { type BrokerAddress, BrokerUrlError, brokerErrorText, parseBrokerUrl } from "./broker-url";
export { poolGrow, poolShrink, ping, RATE_PATTERN, rateLimit, revoke, shutdown, TERMINATE_SIGNALS, type TerminateSignal } from "./commands";
export { broadcast, type ControlReply, type ControlResult, DEFAULT_REPLY_TIMEOUT_MS, openBroker, withBroker } from "./pidbox";
export { pyRepr } from "./py-repr";
export { taskMessage, type TaskToSend } from "./task-message";
export type { BrokerClient } from "./transport";
