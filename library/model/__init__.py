"""The model: the project read once, what is translated, what each output depends on."""
