// Header badge of conversations with unread messages, kept fresh live (see live-count.js).
import { liveCount } from "./live-count.js";

liveCount("[data-message-counter]", (count) => (count === 1 ? "1 conversation non lue" : `${count} conversations non lues`));
