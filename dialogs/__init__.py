"""The channel-neutral coaching engine: content, conversation state and `step()`. No I/O."""
