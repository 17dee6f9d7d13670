"""Greeting new friends in the persona's voice, tailored to the acquisition channel
([channels.<state>]): contacts within WeCom's 20-second welcome window, kf visitors, customer groups."""
