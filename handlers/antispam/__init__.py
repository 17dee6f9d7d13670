"""Anti-spam: the push gate (caps per customer per day and week, quiet hours, opt-out, a global
switch) that every push passes, "退订"/"订阅" from customers and /optout from staff."""
