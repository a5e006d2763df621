"""Paper and assisted responses: printable forms, the keying screen, double-entry checks."""
