require("intentls.commands").register()
