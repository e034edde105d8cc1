"""Fixed wording of the conversation (coaching content itself lives in content/)."""

HELP = """Here is what you can type:
• **start** – pick a three-minute coaching conversation (**start resilience**: one theme's)
• **prep** – two quick questions before a big meeting tomorrow
• **nudge** – get a reflective nudge now
• **journal** – your recent reflections and commitments
• **schedule** – when your nudges come
• **ask my coach** – ask your coach, if you have one, to get in touch
• **circles** – the peer circles you are in (**circle** for more)
• **pause** or **pause until 2027-01-05** – stop nudges for a while; **resume** starts them again
• **timezone Europe/London** – set your time zone
• **organisation Leeds Teaching Hospitals** and **about <one line>** – what peers in a circle see
• **avoid <name>** – a private list of people you'd rather not be matched with
• **privacy** – what I keep about you and who can see it
• **support** – support contacts, if things are hard
• **export** – a copy of everything stored about you
• **forget me** – delete everything stored about you
In a conversation, **stop** leaves it. You can also just tell me what is on your mind."""

UNSURE = (
    "I'm not sure which conversation fits that. Type **start** to see them all, or **help** "
    "for everything I can do."
)
# A bare "hi" or "thanks" outside a conversation (dialogs/small_talk.py).
GREETING = "Hello. What's on your mind? Or type **start** to pick a conversation."
THANKS = "You're welcome. I'm here when you want me."
DONE = "OK. I'm here when you want me."
ENGLISH_ONLY = (
    "Sorry, I can only chat in English for now. If you'd like to, tell me in English what is on "
    "your mind, or type **start** to see the conversations."
)
# A suggestion offers, it does not pitch (review 12f); a message that says how the leader
# is gets SOUNDS_HARD first (dialogs/heard.py).
SUGGEST = "One thing that may help: **{title}** ({minutes} minutes). {summary} Shall we?"
SOUNDS_HARD = "That sounds hard."
# Tiredness: one question first, then a line for the answer and the offer (review 12g).
HOW_LONG = "Tired from today, or worn down for a while now?"
HOW_LONG_CHOICES = (("today", "Just today"), ("while", "For a while now"))
JUST_TODAY = "That sounds like a long day."
A_WHILE = (
    "That is a lot to carry for so long. Your GP, occupational health or NHS Practitioner "
    "Health are there for that too, as well as anything we do here."
)
SUGGEST_CHOICES = (("yes", "Yes, let's start"), ("menu", "Show me others"), ("no", "Not now"))
MENU = "Which conversation would you like? Each takes about three minutes."
THEME_MENU = "Conversations on **{theme}**, about three minutes each. Which would you like?"
ALL_CONVERSATIONS = "All conversations"
CARRY_ON_LABEL = "Carry on: {title}"
NO_PREP = "There is no meeting preparation here yet. These are the conversations there are:"
NOT_NOW = "No problem. I'm here when you want me."
# Words typed at a menu that match none of its buttons: one gracious reply everywhere, in the
# style of STORY_KEPT where the words are kept (review 12e: "I didn't catch which one you
# meant" at some menus, "I've kept that..." at others).
DIDNT_CATCH = "Which of these comes closest to what you meant? Pick one, or type its number:"
# A story typed at a choice (review 12: "I didn't catch which one you meant" turned it down).
# A "don't know" at a typed question: met, not passed over (review 12e); the second line
# is for a second "don't know" after the step's gentler `if_unsure` question.
# Review 12f: one stock line at every step read as canned by the third time, so each step
# has one of these, always the same for that step (see runner.dont_know_heard).
DONT_KNOW_HEARD = (
    "That's fine. Not knowing yet is an honest answer.",
    "No need to have it worked out yet.",
    "That's honest. It may not be clear yet.",
    "It often isn't clear at this point, and that's OK.",
)
DONT_KNOW_AGAIN = "That's all right. Let's move on."
STORY_KEPT = "I've kept that in your journal. Which of these comes closest to it?"
# A bare number typed at a question with no options on screen (review 12e: "3", kept and
# echoed back as "You said it would mean: > 3"); then the question again.
NUMBER_AT_TEXT = (
    "There are no options to pick here: this question wants a few words, like “{example}”."
)
# The same where the question has no example of its own to give.
NUMBER_AT_TEXT_PLAIN = (
    "There are no options to pick here: this question wants a few words of your own. A "
    "phrase is plenty, as you'd say it to a colleague."
)
DIDNT_CATCH_DIALOGUE = (
    "Which of these comes closest to what you meant? Pick one, type its number, or type "
    "**stop** to leave this conversation:"
)
# A second and later story or miss at the same choice: one short line, never the same
# words twice running (review 4: the same sympathy line, word for word, four times).
STORY_KEPT_AGAIN = (
    "Kept that too. Which one is closest?",
    "Noted as well. Pick the nearest, or type **stop** to leave.",
)
DIDNT_CATCH_AGAIN = (
    "Pick one of these, or type its number:",
    "Which one? A number is enough, or **stop** to leave.",
)
BACK_TO = "Back to **{title}**, where we left off:"
WELCOME_BACK = "Welcome back. Picking up where we left off in **{title}**"
STOPPED = "I've stopped **{title}** — anything you wrote is kept in your journal."
NOTHING_TO_STOP = "There's nothing to stop just now. Type **start** to begin a conversation."
EXPIRED = (
    "It has been more than a day since we worked on **{title}**, so I've closed it. Anything "
    "you wrote is in your journal, and **start** begins a fresh one."
)
FINISH_FIRST = "Let's finish **{title}** first — or type **stop** to leave it."
FOLLOW_UP_PLANNED = "I'll ask how it went on {day}."
# A step kept from an earlier answer, without its own question: the step and its day, confirmed
FOLLOW_UP_PLANNED_FOR = "{step} — I'll ask how it went on {day}."
EMPTY = "Type **help** to see what I can do, or **start** for a coaching conversation."
TOO_LONG = (
    "That message is {length:,} characters, more than I can keep ({limit:,}). Could you "
    "shorten it and send it again?"
)
NHS_NUMBER = (
    "That message looks as if it holds an NHS number, so I haven't saved it. Please never "
    "share patient details here. Could you say it again without the number?"
)
PAUSED = "Nudges are paused until you type **resume**."
PAUSED_UNTIL = "Nudges are paused until {day}. Type **resume** to start them sooner."
PAUSE_IN_PAST = "That date has already passed; pick a day after today."
RESUMED = "Nudges are back on."
NOT_PAUSED = "Your nudges aren't paused."
# {zone} in words, "UK time", "UTC", "Dublin time" (dialogs/timezones.spoken_zone).
TIMEZONE_IS = (
    "Your nudges follow **{zone}**. To change it, type for example `timezone Europe/Dublin`."
)
TIMEZONE_SET = "Done: your nudges now follow **{zone}**."
FORGET_ASK = (
    "This deletes everything stored about you: reflections, commitments, schedules and "
    "history. It cannot be undone. Delete it all?"
)
FORGET_CHOICES = (("yes", "Yes, delete everything"), ("no", "No, keep it"))
FORGET_KEPT = "Nothing was deleted."
FORGOTTEN = (
    "Done. Everything stored about you on the server has been deleted. Backups made before "
    "now still hold it, encrypted, until they are deleted. If you message me again, we start "
    "afresh."
)
EXPORT_STARTED = "Here is a copy of everything stored about you."
NO_NUDGES = "There are no nudges to send for your themes yet."
ALL_NOT_FOR_ME = (
    "You've marked every nudge for your themes as not for you. Add a theme with **schedule**, "
    "or try **start** for a conversation."
)
NUDGE_CHOICES_REFLECT = ("reflect", "Reflect now")
NUDGE_CHOICES_DIALOGUE = ("dialogue", "Try the 3-minute version")
NUDGE_CHOICES_SNOOZE = ("snooze", "Snooze")
NUDGE_CHOICES_NOT_FOR_ME = ("not_for_me", "Not for me")
REFLECT_PROMPT = "What comes to mind? One line is plenty."
REFLECT_PLACEHOLDER = "a sentence or two"
REFLECTION_SAVED = "Saved to your journal."
NOT_FOR_ME_DONE = "Thanks for saying. I won't send that one again."
SNOOZE_ASK = "Snooze it until when?"
SNOOZE_CHOICES = (("hour", "An hour from now"), ("tomorrow", "Tomorrow"))
SNOOZED = "I'll send it again {when}."
RESURFACE = "On {day} you wrote:\n> {text}\nHow does that look to you now?"
FOLLOW_UP = "On {day} you said you would try:\n> {text}\nHow did it go?"
FOLLOW_UP_CHOICES = (
    ("kept", "I did it"),
    ("partly", "Partly"),
    ("not_yet", "Not yet"),
    ("dropped", "Let it go"),
)
FOLLOW_UP_LEARNED = "What did you notice or learn? One line is plenty."
FOLLOW_UP_DROPPED = "Letting it go is a choice too. Thanks for being honest about it."
QUIET_IS = (
    "Your quiet hours are {start} to {end}: no nudges arrive then. `quiet off` removes them."
)
QUIET_NONE = "You have no quiet hours. For example: `quiet 22:00-07:00`"
QUIET_SET = "Quiet hours set: nothing arrives between {start} and {end}; a nudge due then waits."
QUIET_OFF = "Quiet hours removed."
NOT_DONE_FIRST = "I haven't done that yet. Now that we've said hello, please type it again."
NOT_DONE_WAITING = "I haven't done that yet: answer the question below first, then type it again."
