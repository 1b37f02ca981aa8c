// Header counter of unread notifications, kept fresh live (see live-count.js).
import { liveCount } from "./live-count.js";

liveCount("[data-notification-counter]", (count) => (count === 1 ? "1 non lue" : `${count} non lues`));
