^XA
^CI28
^PW812
^LL406
^LH0,0
^FX Location label: the whole code, its barcode, and every check digit a picker types when the barcode is damaged
^FO30,30^A0N,{{location_size}},{{location_size}}^FH^FD{{location:32}}^FS
^FX Code 128 in automatic mode (subset C for digit runs, no invocation codes); 2-dot modules fit 32 characters with quiet zones
^BY2,3,140
^FO22,130^BCN,140,N,N,N,A^FH^FD{{location:32:bc}}^FS
^FO30,300^A0N,30,30^FH^FD{{warehouse:16}}^FS
^FO390,310^A0N,30,30^FDCHECK^FS
^FO500,290^A0N,60,60^FH^FD{{check_digits:8}}^FS
^XZ
