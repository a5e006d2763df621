"""The SMS channel: a survey conversation over text messages (Twilio), and the outbound queue."""
